# CMake toolchain file: 64-bit Windows programs of the MSVC ABI (ucrt), from
# Debian's clang-19 and lld-link-19 through the msvc-clang wrapper beside
# this file (scripts/env.sh's msvc_cc). CMake sees Clang simulating MSVC,
# as with clang-cl or clang --target=x86_64-pc-windows-msvc on Windows.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(CMAKE_C_COMPILER "${CMAKE_CURRENT_LIST_DIR}/msvc-clang")
set(CMAKE_C_COMPILER_TARGET x86_64-pc-windows-msvc)
set(CMAKE_AR llvm-ar-19)
set(CMAKE_RC_COMPILER llvm-rc-19)
set(CMAKE_MT llvm-mt-19)
# No linking in CMake's own checks (no C runtime startup objects here), and
# the wrapper names the only system libraries these programs use.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_C_STANDARD_LIBRARIES "" CACHE STRING "system libraries: the msvc-clang wrapper names them")
