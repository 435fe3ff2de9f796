// Drives DeepSpeed's aio core (csrc/aio/common, built unchanged) as its
// Python binding does (deepspeed_py_aio_write/read): open_file() with
// O_DIRECT, an aio_context of 128 KiB blocks at depth 8, and
// do_aio_operation_sequential / do_aio_operation_overlap, with single and
// batched submits. Each of the four ways writes a file and reads it back
// through the same paths; the data is compared byte for byte, and
// DeepSpeed's own validate_aio_operation() reads the file with a plain
// open() and read(). Last, a misaligned buffer on an fd from open_file()
// must fail in its event with -EINVAL, as on Linux: the O_DIRECT that
// DeepSpeed passes to a plain open() took effect.
//
// The output is compared with the same driver's on Linux (native libaio).
#include "deepspeed_aio_common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef _WIN32
#define aligned_free _aligned_free
#else
#define aligned_free free
#endif

static int failures;

static void check(bool ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok) failures++;
}

static unsigned char pattern(int64_t i, int seed)
{
    // Every byte value occurs, 0x1a and "\r\n" included.
    return static_cast<unsigned char>((i * 131 + seed * 7 + (i >> 9)) & 0xff);
}

static char* aligned_alloc_bytes(int64_t size)
{
    void* p = nullptr;
    const long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || posix_memalign(&p, static_cast<size_t>(page), static_cast<size_t>(size)) != 0) {
        return nullptr;
    }
    return static_cast<char*>(p);
}

// 8 full blocks of 128 KiB and a short last one (still sector-aligned).
static const int64_t c_num_bytes = 8 * 128 * 1024 + 8192;

static void write_and_read(const char* way, bool overlap, bool single_submit, int seed)
{
    char filename[64];
    snprintf(filename, sizeof filename, "ds-%d.bin", seed);
    printf("== %s\n", way);

    char* write_buffer = aligned_alloc_bytes(c_num_bytes);
    char* read_buffer = aligned_alloc_bytes(c_num_bytes);
    if (!write_buffer || !read_buffer) {
        check(false, "aligned buffers");
        return;
    }
    for (int64_t i = 0; i < c_num_bytes; i++) write_buffer[i] = static_cast<char>(pattern(i, seed));
    memset(read_buffer, 0, static_cast<size_t>(c_num_bytes));
    check(mlock(write_buffer, static_cast<size_t>(c_num_bytes)) == 0, "mlock");

    deepspeed_aio_config_t config(128 * 1024, 8, single_submit, overlap, false);
    {
        const int fd = open_file(filename, false);
        check(fd >= 0, "open_file for write");
        if (fd < 0) return;
        std::unique_ptr<io_xfer_ctxt> xfer(new io_xfer_ctxt(fd, 0, 0, c_num_bytes, write_buffer));
        std::unique_ptr<aio_context> ctxt(new aio_context(config._block_size, config._queue_depth));
        if (overlap) {
            do_aio_operation_overlap(false, ctxt, xfer, &config, nullptr);
        } else {
            do_aio_operation_sequential(false, ctxt, xfer, &config, nullptr);
        }
        close(fd);
    }
    int64_t size = -1;
    check(get_file_size(filename, size) == 0 && size == c_num_bytes, "file size");
    check(validate_aio_operation(false, filename, write_buffer, c_num_bytes), "validate write");

    {
        const int fd = open_file(filename, true);
        check(fd >= 0, "open_file for read");
        if (fd < 0) return;
        int64_t fd_size = -1;
        check(get_fd_file_size(fd, fd_size) == 0 && fd_size == c_num_bytes, "fd file size");
        std::unique_ptr<io_xfer_ctxt> xfer(new io_xfer_ctxt(fd, 0, 0, c_num_bytes, read_buffer));
        std::unique_ptr<aio_context> ctxt(new aio_context(config._block_size, config._queue_depth));
        if (overlap) {
            do_aio_operation_overlap(true, ctxt, xfer, &config, nullptr);
        } else {
            do_aio_operation_sequential(true, ctxt, xfer, &config, nullptr);
        }
        close(fd);
    }
    check(memcmp(read_buffer, write_buffer, static_cast<size_t>(c_num_bytes)) == 0, "read back byte for byte");
    check(validate_aio_operation(true, filename, read_buffer, c_num_bytes), "validate read");

    check(munlock(write_buffer, static_cast<size_t>(c_num_bytes)) == 0, "munlock");
    aligned_free(write_buffer);
    aligned_free(read_buffer);
}

int main()
{
    write_and_read("sequential, batched submit", false, false, 1);
    write_and_read("sequential, single submits", false, true, 2);
    write_and_read("overlapped, batched submit", true, false, 3);
    write_and_read("overlapped, single submits", true, true, 4);

    printf("== misaligned buffer on open_file()'s fd\n");
    char* buffer = aligned_alloc_bytes(8192);
    const int fd = open_file("ds-1.bin", true);
    check(buffer != nullptr && fd >= 0, "open_file for read");
    if (buffer && fd >= 0) {
        deepspeed_aio_config_t config(4096, 1, false, false, false);
        std::unique_ptr<io_xfer_ctxt> xfer(new io_xfer_ctxt(fd, 0, 0, 4096, buffer + 1));
        std::unique_ptr<aio_context> ctxt(new aio_context(config._block_size, config._queue_depth));
        do_aio_operation_sequential(true, ctxt, xfer, &config, nullptr);
        const long long res = static_cast<long long>(ctxt->_io_events[0].res);
        printf("event res: %s\n", res == -EINVAL ? "-EINVAL" : std::to_string(res).c_str());
        check(res == -EINVAL, "O_DIRECT in effect");
        close(fd);
    }
    aligned_free(buffer);
    printf("driver: %s\n", failures == 0 ? "all passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}
