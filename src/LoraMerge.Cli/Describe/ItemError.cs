using LoraMerge.Requests;
namespace LoraMerge.Cli.Describe;

/// <summary>A problem with an item's metadata or with the build's properties, reported at an item or the project.</summary>
internal sealed record ItemError(string Code, string Message, ItemLocation Location);
