using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace LoraMerge.EndToEnd.Tests;

/// <summary>
/// Issue 13: the packed task assembly loads in any MSBuild host, .NET Framework's (Visual Studio) included. Without a
/// .NET Framework MSBuild here, its metadata says so: it targets netstandard2.0 and references nothing but netstandard
/// and the host's Microsoft.Build assemblies (no engine, no System.Text.Json, nothing the Framework host lacks), and it
/// is alone in tasks/.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class TaskAssemblyTests(PackageFixture package)
{
    private static readonly string[] HostAssemblies = ["netstandard", "Microsoft.Build.Framework", "Microsoft.Build.Utilities.Core"];

    [Fact]
    public void The_packed_task_assembly_targets_netstandard20_and_references_only_netstandard_and_MSBuild()
    {
        using var zip = ZipFile.OpenRead(package.PackagePath);
        var tasks = zip.Entries.Where(e => e.FullName.StartsWith("tasks/", StringComparison.Ordinal)).Select(e => e.FullName).ToArray();
        Assert.Equal(["tasks/netstandard2.0/LoraMerge.Tasks.dll"], tasks);

        using var stream = new MemoryStream();
        using (var entry = zip.GetEntry("tasks/netstandard2.0/LoraMerge.Tasks.dll")!.Open()) entry.CopyTo(stream);
        stream.Position = 0;
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();

        var references = metadata.AssemblyReferences.Select(h => metadata.GetAssemblyReference(h))
            .Select(r => (Name: metadata.GetString(r.Name), r.Version)).ToArray();
        Assert.All(references, r => Assert.Contains(r.Name, HostAssemblies));
        Assert.Equal(new Version(2, 0, 0, 0), Assert.Single(references, r => r.Name == "netstandard").Version);
        Assert.Equal(".NETStandard,Version=v2.0", TargetFramework(metadata));
    }

    [Fact]
    public void The_package_still_depends_on_the_runtime_and_ships_the_tool_and_the_targets()
    {
        using var zip = ZipFile.OpenRead(package.PackagePath);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("tools/net10.0/LoraMerge.Cli.dll", names);
        Assert.Contains("build/LoraMerge.targets", names);
        using var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var dependencies = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => e.Attribute("id")!.Value).ToArray();
        Assert.Contains("LoraMerge.Runtime", dependencies);

        using var targets = new StreamReader(zip.GetEntry("build/LoraMerge.targets")!.Open());
        var text = targets.ReadToEnd();
        Assert.Contains(@"tasks\netstandard2.0\LoraMerge.Tasks.dll", text);
        Assert.DoesNotContain("LORA1406", text);
    }

    private static string? TargetFramework(MetadataReader metadata)
    {
        foreach (var handle in metadata.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = metadata.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference) continue;
            var constructor = metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
            var type = metadata.GetTypeReference((TypeReferenceHandle)constructor.Parent);
            if (metadata.GetString(type.Name) != "TargetFrameworkAttribute") continue;
            var blob = metadata.GetBlobReader(attribute.Value);
            blob.ReadUInt16(); // prolog
            return blob.ReadSerializedString();
        }
        return null;
    }
}
