/*
 * Stand-in for bcryptprimitives.dll, which Wine 8.0 lacks and Rust's std
 * imports for ProcessPrng. Only used inside the test Wine prefix: real
 * Windows ships the real DLL. RtlGenRandom is exported by advapi32 as
 * SystemFunction036.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
