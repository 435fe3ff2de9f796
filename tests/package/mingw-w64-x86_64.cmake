# CMake toolchain file: cross-building for 64-bit Windows with Debian's
# mingw-w64 (gcc/g++, posix or win32 thread model alike).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)

# Libraries and headers from the mingw-w64 sysroot only; packages (the
# unpacked libaio-win32 archive) from CMAKE_PREFIX_PATH as given: with
# CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY they would be looked for under the
# sysroot instead.
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# The programs run with only aio.dll beside them: mingw's libgcc and
# libstdc++ are linked in rather than shipped as DLLs.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
