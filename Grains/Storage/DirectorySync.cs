using System.Runtime.InteropServices;
using System.Text;

namespace Entitlements.Storage;

/// <summary>
/// Makes a directory's entries durable: on Linux a rename (or a new file) is on disk only once the directory itself
/// is synced, which .NET has no call for (it refuses to open a directory), so the directory is opened and
/// <c>fsync</c>ed through libc. Elsewhere, and where the file system cannot sync a directory, it does nothing.
/// </summary>
internal static partial class DirectorySync
{
    // O_RDONLY | O_CLOEXEC, the same on every Linux architecture .NET runs on; a directory opens read-only without O_DIRECTORY.
    private const int OpenReadOnlyCloseOnExec = 0x80000;

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            var descriptor = Open(Encoding.UTF8.GetBytes(directory + '\0'), OpenReadOnlyCloseOnExec);
            if (descriptor < 0)
            {
                return;
            }

            try
            {
                _ = Fsync(descriptor);
            }
            finally
            {
                _ = Close(descriptor);
            }
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            // A Linux whose C library the runtime cannot load by this name: the rename stays unsynced, as elsewhere.
        }
    }

    [DllImport("libc", EntryPoint = "open")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "fsync")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int descriptor);
}
