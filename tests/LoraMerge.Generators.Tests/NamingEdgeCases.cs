using LoraMerge.Generators.Tests.Infrastructure;

namespace LoraMerge.Generators.Tests;

/// <summary>A manifest hitting every naming rule of docs/generated-model.md, and code that uses the names the rules promise.</summary>
internal static class NamingEdgeCases
{
    public static readonly string Manifest = Manifests.Build("Edge",
        """
        {"architectures": ["EdgeForTesting"], "architecture": "shadowed", "config": 1, "mixed": [1, "a"], "floats": [1, 2.5],
         "empty": [], "nested": {"a": 1}, "huge": 1e400, "neg": -3, "big_list": [1, 10000000000], "3rd_value": true}
        """,
        Manifests.Tensors("F32",
            ("3d.weight", [1]),
            ("config.weight", [1]),
            ("tensors", [1]),
            ("block.weight", [2]),
            ("block.weight.scale", [1]),
            ("gappy.0.w", [1]),
            ("gappy.2.w", [1]),
            ("stack.0.a", [1]),
            ("stack.1.a", [1]),
            ("stack.1.b", [1]),
            ("dup.Weight", [1]),
            ("dup.weight", [1]),
            ("odd-name.x", [1]),
            ("emb.0", [4]),
            ("emb.1", [4]),
            ("grid.0.0.w", [1]),
            ("grid.0.1.w", [1]),
            ("grid.1.0.w", [1]),
            ("a.b.x", [1]),
            ("a.b_node", [1]),
            ("mixed.0.w", [1]),
            ("mixed.0", [1]),
            ("mixed.1.w", [1]),
            ("padded.01", [1])));

    /// <summary>Compiles only if every escaped name is what the documentation says.</summary>
    public const string Usage = """
        using System.Collections.Generic;
        using LoraMerge.Runtime;
        using Sample.App;

        internal static class EdgeUsage
        {
            public static IEnumerable<ModelTensor?> All(EdgeModel m)
            {
                yield return m._3d.Weight;
                yield return m.Config_.Weight;
                yield return m.Tensors_;
                yield return m.Block.Weight.Tensor;
                yield return m.Block.Weight.Scale;
                yield return m.Gappy._0.W;
                yield return m.Gappy._2.W;
                yield return m.Stack[0].A;
                yield return m.Stack[1].B;
                yield return m.Dup.Weight;
                yield return m.Dup.Weight_;
                yield return m.OddName.X;
                yield return m.Emb[1];
                yield return m.Grid[0][1].W;
                yield return m.Grid[1][0].W;
                yield return m.A.B.X;
                yield return m.A.BNode;
                yield return m.Mixed[0].Tensor;
                yield return m.Mixed[1].W;
                yield return m.Padded._01;
                foreach (var t in m.Tensors) yield return t;
            }

            public static object[] Config() =>
            [
                EdgeModel.Config.Architecture, EdgeModel.Config.Architecture_, EdgeModel.Config.Config_,
                EdgeModel.Config.Floats[1], EdgeModel.Config.Neg, EdgeModel.Config.BigList[1], EdgeModel.Config._3rdValue,
            ];

            public static double Floats0 => EdgeModel.Config.Floats[0];
            public static long BigList0 => EdgeModel.Config.BigList[0];
            public static ModelTensor StackAIsRequired(EdgeModel m) => m.Stack[0].A;
            public static ModelTensor? MixedTensorIsOptional(EdgeModel m) => m.Mixed[1].Tensor;
        }
        """;
}
