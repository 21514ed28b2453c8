using System.Collections.Generic;
using LoraMerge.Generators.Model;
using LoraMerge.Generators.Naming;

namespace LoraMerge.Generators.Emit;

/// <summary>A tensor name split at dots, as a trie: each node is one segment, and may be a tensor, a parent, or both.</summary>
internal sealed class TrieNode
{
    private readonly Dictionary<string, TrieNode> _bySegment = new(System.StringComparer.Ordinal);

    public TrieNode(string segment) => Segment = segment;

    public string Segment { get; }

    /// <summary>Index into the model's tensor list when this node is itself a tensor.</summary>
    public int? TensorIndex { get; set; }

    /// <summary>Children in order of first appearance (file order).</summary>
    public List<TrieNode> Children { get; } = new();

    public TrieNode GetOrAdd(string segment)
    {
        if (!_bySegment.TryGetValue(segment, out var child))
        {
            child = new TrieNode(segment);
            _bySegment.Add(segment, child);
            Children.Add(child);
        }
        return child;
    }

    public TrieNode? Find(string segment) => _bySegment.TryGetValue(segment, out var child) ? child : null;

    public static TrieNode Build(EquatableArray<TensorSpec> tensors)
    {
        var root = new TrieNode("");
        for (var i = 0; i < tensors.Count; i++)
        {
            var node = root;
            foreach (var segment in tensors[i].Name.Split('.')) node = node.GetOrAdd(segment);
            node.TensorIndex = i;
        }
        return root;
    }

    /// <summary>Children are exactly the indices 0..n-1 (canonical digits, no gaps): the node becomes a list.</summary>
    public bool IsList()
    {
        if (Children.Count == 0 || TensorIndex is not null) return false;
        var seen = new bool[Children.Count];
        foreach (var child in Children)
        {
            if (!Identifiers.TryParseIndex(child.Segment, out var index) || index >= seen.Length || seen[index]) return false;
            seen[index] = true;
        }
        return true;
    }

    public List<TrieNode> ChildrenByIndex()
    {
        var ordered = new TrieNode[Children.Count];
        foreach (var child in Children)
        {
            Identifiers.TryParseIndex(child.Segment, out var index);
            ordered[index] = child;
        }
        return new List<TrieNode>(ordered);
    }
}

/// <summary>The C# shape of one position in the tree, shared by every instance at that position (e.g. every layer).</summary>
internal abstract class NodeType
{
    public abstract string TypeName { get; }
}

internal sealed class TensorNodeType : NodeType
{
    public static readonly TensorNodeType Instance = new();

    public override string TypeName => "global::LoraMerge.Runtime.ModelTensor";
}

internal sealed class ListNodeType : NodeType
{
    public ListNodeType(NodeType element) => Element = element;

    public NodeType Element { get; }

    public override string TypeName => $"global::System.Collections.Generic.IReadOnlyList<{Element.TypeName}>";
}

internal sealed class ClassNodeType : NodeType
{
    public ClassNodeType(string name, string fullName, NameScope scope)
    {
        Name = name;
        FullName = fullName;
        Scope = scope;
    }

    public string Name { get; }

    public string FullName { get; }

    public NameScope Scope { get; }

    public List<Member> Members { get; } = new();

    public List<ClassNodeType> NestedTypes { get; } = new();

    public override string TypeName => FullName;
}

/// <summary>A property of a generated class: a child segment, or (when <see cref="Segment"/> is null) the node's own tensor.</summary>
internal sealed class Member
{
    public Member(string propertyName, string? segment, bool optional, string namePattern)
    {
        PropertyName = propertyName;
        Segment = segment;
        Optional = optional;
        NamePattern = namePattern;
    }

    public string PropertyName { get; }

    public string? Segment { get; }

    public bool Optional { get; }

    /// <summary>The tensor-name prefix this member covers, with <c>*</c> for list indices (for doc comments).</summary>
    public string NamePattern { get; }

    public NodeType Type { get; set; } = TensorNodeType.Instance;
}
