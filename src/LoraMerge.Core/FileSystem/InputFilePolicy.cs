using LoraMerge.Diagnostics;
using LoraMerge.Requests;

namespace LoraMerge.FileSystem;

/// <summary>
/// What a file LoraMerge reads from a model or adapter folder may be, checked before it is opened: a regular file (a
/// FIFO would block the merge, a device like /dev/zero would fill the disk), and, when it is a symbolic link, one that
/// stays inside its folder or inside the Hugging Face cache layout of the same snapshot
/// (<c>models--org--name/snapshots/&lt;rev&gt;/file -&gt; ../../blobs/&lt;hash&gt;</c>), so a folder cannot smuggle
/// <c>/etc/shadow</c> into a merged model. Linux only (where <c>statx</c> tells the kinds); elsewhere nothing is refused.
/// </summary>
internal static class InputFilePolicy
{
    public const string HuggingFaceSnapshots = "snapshots";
    public const string HuggingFaceBlobs = "blobs";

    /// <summary>
    /// A folder name that is not valid UTF-8 reaches .NET with U+FFFD in place of its bytes and cannot be opened by that
    /// name: said as such, rather than as a folder that does not exist.
    /// </summary>
    /// <exception cref="LoraException"><see cref="ErrorCodes.FileNotFound"/>.</exception>
    public static void CheckFolderName(string folder, string what)
    {
        if (folder.Contains('\uFFFD'))
            throw new LoraException(ErrorCodes.FileNotFound,
                $"The {what} folder's name is not valid UTF-8 (its bytes show as U+FFFD), so it cannot be opened by that name; rename the folder.", folder);
    }

    /// <exception cref="LoraException"><see cref="ErrorCodes.InputLinkOutsideFolder"/> or <see cref="ErrorCodes.InputNotARegularFile"/>.</exception>
    public static void Check(string folder, string file)
    {
        if (FileIdentity.Of(file, followLinks: false) is not { } itself)
            return; // missing: the reader reports it with its own code
        if (itself.Kind == FileKind.SymbolicLink && LinkResolver.Resolve(file) is { } target && !IsInScope(folder, target))
            throw new LoraException(ErrorCodes.InputLinkOutsideFolder,
                $"'{Path.GetFileName(file)}' is a symbolic link to '{target}', outside its folder (links are followed inside the folder and into the Hugging Face cache's blobs of the same model only).", file);
        var kind = FileIdentity.Of(file)?.Kind;
        if (kind is not (FileKind.RegularFile or null))
            throw new LoraException(ErrorCodes.InputNotARegularFile,
                $"'{Path.GetFileName(file)}' is {(kind == FileKind.Directory ? "a folder" : "a FIFO, socket or device")}, not a regular file.", file);
    }

    private static bool IsInScope(string folder, string target)
    {
        string realFolder = LinkResolver.Resolve(folder) ?? Path.GetFullPath(folder);
        if (PathContainment.IsSameOrInside(target, realFolder))
            return true;
        var snapshots = Directory.GetParent(realFolder);
        return snapshots?.Name == HuggingFaceSnapshots && snapshots.Parent is { } model
            && PathContainment.IsSameOrInside(target, Path.Combine(model.FullName, HuggingFaceBlobs));
    }
}
