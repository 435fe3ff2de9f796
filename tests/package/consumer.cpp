// The C++ consumer of the unpacked archive (tests/package/check.sh, through
// CMake): writes 4 blocks with io_submit through an fd from aio_open(), reads
// them back with io_submit into fresh buffers and compares every byte.
// Exit status 0 only if all of it is right.
#include <libaio.h>
#include <fcntl.h>
#include <io.h>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

const int blocks = 4;
const int block = 8192;
const char file_name[] = "package-consumer-cxx.dat";

int fail(const char *what, long long got, long long want)
{
    std::printf("libaio package consumer (C++): FAIL %s (got %lld, want %lld)\n", what, got, want);
    return 1;
}

// Submits one request per buffer and waits for all; every event must carry res == block.
int run(io_context_t ctx, int fd, std::vector<std::vector<unsigned char> > &buffers, bool write)
{
    std::vector<iocb> iocbs(blocks);
    std::vector<iocb *> list(blocks);
    for (int b = 0; b < blocks; b++) {
        if (write)
            io_prep_pwrite(&iocbs[b], fd, buffers[b].data(), block, static_cast<long long>(b) * block);
        else
            io_prep_pread(&iocbs[b], fd, buffers[b].data(), block, static_cast<long long>(b) * block);
        list[b] = &iocbs[b];
    }
    int rc = io_submit(ctx, blocks, list.data());
    if (rc != blocks)
        return fail("io_submit", rc, blocks);
    std::vector<io_event> events(blocks);
    rc = io_getevents(ctx, blocks, blocks, events.data(), nullptr);
    if (rc != blocks)
        return fail("io_getevents", rc, blocks);
    for (const io_event &event : events)
        if (static_cast<long long>(event.res) != block || event.res2 != 0)
            return fail("event res", static_cast<long long>(event.res), block);
    return 0;
}

} // namespace

int main()
{
    std::vector<std::vector<unsigned char> > written(blocks, std::vector<unsigned char>(block));
    std::vector<std::vector<unsigned char> > read_back(blocks, std::vector<unsigned char>(block, 0));
    for (int b = 0; b < blocks; b++)
        for (int i = 0; i < block; i++)
            written[b][i] = static_cast<unsigned char>(b * 101 + i * 7 + (i >> 9) + 3);

    io_context_t ctx = nullptr;
    int rc = io_setup(blocks, &ctx);
    if (rc != 0)
        return fail("io_setup", rc, 0);
    int fd = aio_open(file_name, O_RDWR | O_CREAT | O_TRUNC | _O_BINARY, 0644);
    if (fd < 0)
        return fail("aio_open", fd, 0);
    if (run(ctx, fd, written, true) || run(ctx, fd, read_back, false))
        return 1;
    for (int b = 0; b < blocks; b++)
        if (std::memcmp(read_back[b].data(), written[b].data(), block) != 0)
            return fail("data read back, block", b, -1);
    _close(fd);
    rc = io_destroy(ctx);
    if (rc != 0)
        return fail("io_destroy", rc, 0);
    if (_unlink(file_name) != 0)
        return fail("unlink", -1, 0);
    std::printf("libaio package consumer (C++): %d writes and %d reads, %d bytes verified\n", blocks, blocks,
                blocks * block);
    return 0;
}
