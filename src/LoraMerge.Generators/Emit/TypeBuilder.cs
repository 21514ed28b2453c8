using System.Collections.Generic;
using LoraMerge.Generators.Naming;

namespace LoraMerge.Generators.Emit;

/// <summary>
/// Derives the generated types from the tensor trie. A position is a list when every instance's children are exactly
/// 0..n-1 and no instance is itself a tensor; a leaf when no instance has children; otherwise a class whose members are
/// the union of the instances' children (nullable when some instance lacks one), plus a <c>Tensor</c> property when a
/// node is both a tensor and a parent.
/// </summary>
internal static class TypeBuilder
{
    public const string SelfTensorProperty = "Tensor";

    /// <summary>Fills the root class's members from the trie's top-level segments (the root is never a list).</summary>
    public static void BuildRoot(ClassNodeType root, TrieNode trie) =>
        FillClass(root, new List<TrieNode> { trie }, "");

    private static NodeType TypeOf(List<TrieNode> instances, ClassNodeType declaring, string stem, string suffix, string pattern)
    {
        var allList = true;
        var anyChildren = false;
        foreach (var instance in instances)
        {
            if (instance.Children.Count > 0) anyChildren = true;
            if (!instance.IsList()) allList = false;
        }
        if (allList)
        {
            var elements = new List<TrieNode>();
            foreach (var instance in instances) elements.AddRange(instance.ChildrenByIndex());
            var elementSuffix = suffix == "Node" ? "Item" : suffix + "Item";
            return new ListNodeType(TypeOf(elements, declaring, stem, elementSuffix, pattern + ".*"));
        }
        if (!anyChildren) return TensorNodeType.Instance;

        var name = declaring.Scope.Allocate(stem + suffix);
        var type = new ClassNodeType(name, declaring.FullName + "." + name, new NameScope(name, RootName(declaring)));
        declaring.NestedTypes.Add(type);
        FillClass(type, instances, pattern);
        return type;
    }

    private static string RootName(ClassNodeType type)
    {
        var dot = type.FullName.IndexOf('.');
        return dot < 0 ? type.FullName : type.FullName.Substring(0, dot);
    }

    private static void FillClass(ClassNodeType type, List<TrieNode> instances, string pattern)
    {
        var tensorCount = 0;
        var segments = new List<string>();
        var instancesBySegment = new Dictionary<string, List<TrieNode>>(System.StringComparer.Ordinal);
        foreach (var instance in instances)
        {
            if (instance.TensorIndex is not null) tensorCount++;
            foreach (var child in instance.Children)
            {
                if (!instancesBySegment.TryGetValue(child.Segment, out var list))
                {
                    list = new List<TrieNode>();
                    instancesBySegment.Add(child.Segment, list);
                    segments.Add(child.Segment);
                }
                list.Add(child);
            }
        }

        // Property names first, in file order, so a nested type's name never pushes a property name aside.
        if (tensorCount > 0)
        {
            type.Members.Add(new Member(type.Scope.Allocate(SelfTensorProperty), null, tensorCount < instances.Count, pattern));
        }
        foreach (var segment in segments)
        {
            var childPattern = pattern.Length == 0 ? segment : pattern + "." + segment;
            var optional = instancesBySegment[segment].Count < instances.Count;
            type.Members.Add(new Member(type.Scope.Allocate(Identifiers.ToPascalCase(segment)), segment, optional, childPattern));
        }
        foreach (var member in type.Members)
        {
            if (member.Segment is null) continue;
            member.Type = TypeOf(instancesBySegment[member.Segment], type, member.PropertyName.TrimStart('@'), "Node", member.NamePattern);
        }
    }
}
