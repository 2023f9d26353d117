// Build-time fix that lets TorchSharp 0.107's native library load on Linux systems whose
// libstdc++ is GCC 12's (Debian 12, Ubuntu 22.04). Compiled by MSBuild's RoslynCodeTaskFactory
// from LibTorchSharpGlibcxxFix.targets; see docs/native-runtime.md for the why and the how.
//
// libLibTorchSharp.so needs GLIBCXX_3.4.32 for exactly one symbol, std::ios_base_library_init().
// The patch, applied to the copy in a build or publish output folder (never the NuGet cache):
//   1. .gnu.version_r: set VER_FLG_WEAK (0x2) on the GLIBCXX_3.4.32 auxiliary entry, so a missing
//      version no longer aborts loading;
//   2. .dynsym/.dynstr: rename the undefined symbol _ZSt21ios_base_library_initv in place to
//      _ZNSt6locale7classicEv (std::locale::classic(), an existing no-argument function; GCC 12's
//      runtime initialises the iostreams itself), NUL padded, and bind it to version index 1 (global).
// The patch is idempotent: an already patched file is left untouched.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>MSBuild task that patches every libLibTorchSharp.so below the given folders.</summary>
public class PatchLibTorchSharpForGlibcxx : Task
{
    private const string MissingVersion = "GLIBCXX_3.4.32";
    private const string MissingSymbol = "_ZSt21ios_base_library_initv";
    private const string ReplacementSymbol = "_ZNSt6locale7classicEv";
    private const uint ShtDynsym = 11;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const ushort VerFlagWeak = 0x2;

    /// <summary>Folders searched recursively for libLibTorchSharp.so (build or publish output).</summary>
    [Required]
    public string[] Folders { get; set; } = Array.Empty<string>();

    /// <summary>Patch even when the system libstdc++ already provides GLIBCXX_3.4.32 (for tests).</summary>
    public bool Force { get; set; }

    /// <inheritdoc />
    public override bool Execute()
    {
        if (!Force && SystemLibstdcxxHasVersion())
        {
            Log.LogMessage(MessageImportance.Low, "System libstdc++ provides " + MissingVersion + "; libLibTorchSharp.so needs no patch.");
            return true;
        }

        foreach (var folder in Folders)
        {
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "libLibTorchSharp.so", SearchOption.AllDirectories))
            {
                if (file.Replace('\\', '/').Contains("/.nuget/packages/"))
                {
                    Log.LogWarning("Refusing to patch a NuGet cache file: " + file);
                    continue;
                }
                try
                {
                    var result = PatchFile(file);
                    Log.LogMessage(MessageImportance.Normal, "libLibTorchSharp.so GLIBCXX fix: " + result + " (" + file + ")");
                }
                catch (Exception e)
                {
                    Log.LogError("Could not patch " + file + ": " + e.Message);
                    return false;
                }
            }
        }
        return !Log.HasLoggedErrors;
    }

    private static bool SystemLibstdcxxHasVersion()
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };
        var needle = Encoding.ASCII.GetBytes(MissingVersion + "\0");
        foreach (var path in candidates)
        {
            if (!File.Exists(path)) continue;
            if (IndexOf(File.ReadAllBytes(path), needle, 0) >= 0) return true;
            return false; // the first libstdc++ found is the one the loader uses
        }
        return false;
    }

    /// <summary>Patches one file; returns what was done.</summary>
    public static string PatchFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (bytes[4] != 2 || bytes[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

        ulong shoff = BitConverter.ToUInt64(bytes, 0x28);
        int shentsize = BitConverter.ToUInt16(bytes, 0x3A);
        int shnum = BitConverter.ToUInt16(bytes, 0x3C);

        long dynsymOff = -1, dynsymSize = 0, dynsymEnt = 24, verneedOff = -1, versymOff = -1;
        int dynsymLink = -1, verneedLink = -1, verneedCount = 0;
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            uint type = BitConverter.ToUInt32(bytes, sh + 4);
            long off = (long)BitConverter.ToUInt64(bytes, sh + 24);
            long size = (long)BitConverter.ToUInt64(bytes, sh + 32);
            int link = (int)BitConverter.ToUInt32(bytes, sh + 40);
            uint info = BitConverter.ToUInt32(bytes, sh + 44);
            long entsize = (long)BitConverter.ToUInt64(bytes, sh + 56);
            if (type == ShtDynsym) { dynsymOff = off; dynsymSize = size; dynsymLink = link; if (entsize > 0) dynsymEnt = entsize; }
            else if (type == ShtGnuVerneed) { verneedOff = off; verneedLink = link; verneedCount = (int)info; }
            else if (type == ShtGnuVersym) { versymOff = off; }
        }
        if (dynsymOff < 0 || verneedOff < 0 || versymOff < 0)
            throw new InvalidDataException("missing .dynsym, .gnu.version_r or .gnu.version section");

        long StringTableOffset(int sectionIndex) =>
            (long)BitConverter.ToUInt64(bytes, checked((int)shoff + sectionIndex * shentsize) + 24);

        long verStr = StringTableOffset(verneedLink);
        bool weakened = false, alreadyWeak = false;
        long vn = verneedOff;
        for (int n = 0; n < verneedCount; n++)
        {
            int vnCnt = BitConverter.ToUInt16(bytes, (int)vn + 2);
            uint vnAux = BitConverter.ToUInt32(bytes, (int)vn + 8);
            uint vnNext = BitConverter.ToUInt32(bytes, (int)vn + 12);
            long aux = vn + vnAux;
            for (int a = 0; a < vnCnt; a++)
            {
                ushort flags = BitConverter.ToUInt16(bytes, (int)aux + 4);
                uint name = BitConverter.ToUInt32(bytes, (int)aux + 8);
                if (ReadCString(bytes, verStr + name) == MissingVersion)
                {
                    if ((flags & VerFlagWeak) != 0) alreadyWeak = true;
                    else
                    {
                        flags |= VerFlagWeak;
                        BitConverter.GetBytes(flags).CopyTo(bytes, (int)aux + 4);
                        weakened = true;
                    }
                }
                uint next = BitConverter.ToUInt32(bytes, (int)aux + 12);
                if (next == 0) break;
                aux += next;
            }
            if (vnNext == 0) break;
            vn += vnNext;
        }

        long symStr = StringTableOffset(dynsymLink);
        bool renamed = false;
        long count = dynsymSize / dynsymEnt;
        for (long s = 0; s < count; s++)
        {
            long sym = dynsymOff + s * dynsymEnt;
            uint name = BitConverter.ToUInt32(bytes, (int)sym);
            ushort shndx = BitConverter.ToUInt16(bytes, (int)sym + 6);
            if (shndx != 0) continue;
            long nameOffset = symStr + name;
            if (ReadCString(bytes, nameOffset) != MissingSymbol) continue;
            var replacement = Encoding.ASCII.GetBytes(ReplacementSymbol);
            for (int k = 0; k < MissingSymbol.Length; k++)
                bytes[nameOffset + k] = k < replacement.Length ? replacement[k] : (byte)0;
            BitConverter.GetBytes((ushort)1).CopyTo(bytes, (int)(versymOff + s * 2));
            renamed = true;
        }

        if (!weakened && !renamed)
            return alreadyWeak ? "already patched" : "nothing to patch";

        // Write a new file and move it over the old one, so a hard link into a package cache is never modified.
        var originalTime = File.GetLastWriteTimeUtc(path);
        var temp = path + ".glibcxx-fix.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Delete(path);
        File.Move(temp, path);
        // Keep the original timestamp so incremental builds do not copy the unpatched file over it again.
        File.SetLastWriteTimeUtc(path, originalTime);
        return "patched";
    }

    private static string ReadCString(byte[] bytes, long offset)
    {
        long end = offset;
        while (end < bytes.Length && bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(bytes, (int)offset, (int)(end - offset));
    }

    private static int IndexOf(byte[] haystack, byte[] needle, int start)
    {
        for (int i = start; i <= haystack.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}
