/*
 * aio-bench: a storage benchmark written against the libaio API, so that the
 * same source builds natively against Linux libaio and, on Windows, against
 * aio.dll. On Windows it also carries two reference engines doing the same
 * work the way a careful Windows engineer would: raw I/O completion ports,
 * and synchronous positional I/O. They are the ceilings aio.dll is judged by.
 *
 *   aio-bench [key=value ...] FILE
 *   aio-bench compare [runs=N] [quick=1] [json=1] FILE
 *
 * Keys (fio's names): engine=libaio|iocp|psync  rw=read|write|randread|
 * randwrite|randrw  rwmixread=70  bs=4k  iodepth=32  submit_batch=N
 * reap_min=1 reap_max=N  size=1g  runtime=3 (seconds) or ios=N  direct=0|1
 * numjobs=1  userspace_reap=0|1  eventfd_reap=0|1  json=0|1.
 *
 * eventfd_reap=1 reaps as QEMU does: every iocb carries io_set_eventfd, and
 * the loop sleeps in read() on a blocking eventfd, then takes the events
 * from the ring in user space, never calling io_getevents.
 */
#define _GNU_SOURCE
#include <libaio.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <io.h>
#include <windows.h>
#else
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#endif

/* ---- options ---- */

enum { ENGINE_LIBAIO, ENGINE_IOCP, ENGINE_PSYNC };
static const char *engine_names[] = { "libaio", "iocp", "psync" };

struct options {
	int engine;
	int write_pct; /* share of writes, 0..100 */
	int random;
	long long bs, size, ios;
	double runtime;
	int iodepth, submit_batch, reap_min, reap_max, direct, numjobs, userspace_reap, eventfd_reap, json;
	const char *file;
};

static long long parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	switch (*end) {
	case 'k': case 'K': v *= 1024; break;
	case 'm': case 'M': v *= 1024 * 1024; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; break;
	}
	return (long long)v;
}

static int set_option(struct options *o, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq)
		return 0;
	size_t k = (size_t)(eq - kv);
	const char *v = eq + 1;
#define KEY(name) (k == strlen(name) && strncmp(kv, name, k) == 0)
	if (KEY("engine")) {
		for (int i = 0; i < 3; i++)
			if (strcmp(v, engine_names[i]) == 0)
				o->engine = i;
	} else if (KEY("rw")) {
		o->random = strncmp(v, "rand", 4) == 0;
		const char *kind = o->random ? v + 4 : v;
		o->write_pct = strcmp(kind, "write") == 0 ? 100 : strcmp(kind, "rw") == 0 ? 30 : 0;
	} else if (KEY("rwmixread")) {
		o->write_pct = 100 - atoi(v);
	} else if (KEY("bs")) {
		o->bs = parse_size(v);
	} else if (KEY("size")) {
		o->size = parse_size(v);
	} else if (KEY("ios")) {
		o->ios = parse_size(v);
	} else if (KEY("runtime")) {
		o->runtime = atof(v);
	} else if (KEY("iodepth")) {
		o->iodepth = atoi(v);
	} else if (KEY("submit_batch")) {
		o->submit_batch = atoi(v);
	} else if (KEY("reap_min")) {
		o->reap_min = atoi(v);
	} else if (KEY("reap_max")) {
		o->reap_max = atoi(v);
	} else if (KEY("direct")) {
		o->direct = atoi(v);
	} else if (KEY("numjobs")) {
		o->numjobs = atoi(v);
	} else if (KEY("userspace_reap")) {
		o->userspace_reap = atoi(v);
	} else if (KEY("eventfd_reap")) {
		o->eventfd_reap = atoi(v);
	} else if (KEY("json")) {
		o->json = atoi(v);
	} else {
		return 0;
	}
#undef KEY
	return 1;
}

static void defaults(struct options *o)
{
	memset(o, 0, sizeof *o);
	o->engine = ENGINE_LIBAIO;
	o->random = 1;
	o->bs = 4096;
	o->size = 1LL << 30;
	o->runtime = 3;
	o->iodepth = 32;
	o->numjobs = 1;
}

static void finish_options(struct options *o)
{
	if (o->iodepth < 1)
		o->iodepth = 1;
	if (o->submit_batch < 1 || o->submit_batch > o->iodepth)
		o->submit_batch = o->iodepth;
	if (o->reap_max < 1 || o->reap_max > o->iodepth)
		o->reap_max = o->iodepth;
	if (o->reap_min < 1)
		o->reap_min = 1;
	if (o->reap_min > o->reap_max)
		o->reap_min = o->reap_max;
	if (o->engine == ENGINE_PSYNC)
		o->iodepth = o->submit_batch = o->reap_min = o->reap_max = 1;
}

/* ---- time, CPU, threads ---- */

static double now(void)
{
#ifdef _WIN32
	static LARGE_INTEGER freq;
	LARGE_INTEGER c;
	if (!freq.QuadPart)
		QueryPerformanceFrequency(&freq);
	QueryPerformanceCounter(&c);
	return (double)c.QuadPart / (double)freq.QuadPart;
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
#endif
}

/* Process CPU time (user + system), in seconds. */
static double cpu_time(void)
{
#ifdef _WIN32
	FILETIME c, e, k, u;
	GetProcessTimes(GetCurrentProcess(), &c, &e, &k, &u);
	ULARGE_INTEGER kk = { .u = { k.dwLowDateTime, k.dwHighDateTime } };
	ULARGE_INTEGER uu = { .u = { u.dwLowDateTime, u.dwHighDateTime } };
	return (double)(kk.QuadPart + uu.QuadPart) / 1e7;
#else
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
#endif
}

#ifdef _WIN32
typedef HANDLE thread_t;
static DWORD WINAPI trampoline(LPVOID p);
#else
typedef pthread_t thread_t;
#endif

static void *aligned(size_t size)
{
#ifdef _WIN32
	return _aligned_malloc(size, 4096);
#else
	void *p = NULL;
	return posix_memalign(&p, 4096, size) == 0 ? p : NULL;
#endif
}

/* ---- latency histogram: 16 linear steps per power of two, in ns ---- */

#define HIST_BUCKETS (64 * 16)

struct histogram {
	unsigned long long count[HIST_BUCKETS];
	double min, max, sum;
	long long n;
};

static int bucket_of(double ns)
{
	unsigned long long v = ns < 1 ? 1 : (unsigned long long)ns;
	int msb = 63 - __builtin_clzll(v);
	int sub = msb >= 4 ? (int)((v >> (msb - 4)) & 15) : (int)(v & 15);
	return msb * 16 + sub;
}

static double bucket_value(int b)
{
	int msb = b / 16, sub = b % 16;
	return msb >= 4 ? (double)((16ULL + sub) << (msb - 4)) : (double)sub;
}

static void record(struct histogram *h, double ns)
{
	h->count[bucket_of(ns)]++;
	if (h->n == 0 || ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
	h->sum += ns;
	h->n++;
}

static void merge(struct histogram *into, const struct histogram *h)
{
	for (int i = 0; i < HIST_BUCKETS; i++)
		into->count[i] += h->count[i];
	if (h->n && (into->n == 0 || h->min < into->min))
		into->min = h->min;
	if (h->max > into->max)
		into->max = h->max;
	into->sum += h->sum;
	into->n += h->n;
}

static double percentile(const struct histogram *h, double p)
{
	unsigned long long want = (unsigned long long)ceil(p / 100.0 * (double)h->n), seen = 0;
	for (int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->count[i];
		if (seen >= want && h->count[i])
			return bucket_value(i);
	}
	return h->max;
}

/* ---- jobs ---- */

struct job {
	const struct options *o;
	int id;
	int fd;
#ifdef _WIN32
	HANDLE handle;
#endif
	unsigned long long rng;
	long long next_seq;
	volatile long long done;
	volatile int stop;
	struct histogram lat;
	const char *error;
};

static unsigned long long xorshift(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The next request: offset and direction. */
static long long next_offset(struct job *j, int *is_write)
{
	const struct options *o = j->o;
	long long blocks = o->size / o->bs;
	*is_write = o->write_pct >= 100 || (o->write_pct > 0 && (int)(xorshift(&j->rng) % 100) < o->write_pct);
	if (o->random)
		return (long long)(xorshift(&j->rng) % (unsigned long long)blocks) * o->bs;
	long long off = j->next_seq;
	j->next_seq = (j->next_seq + o->bs) % (blocks * o->bs);
	return off;
}

static int job_over(struct job *j, double t0)
{
	const struct options *o = j->o;
	if (j->stop)
		return 1;
	if (o->ios)
		return j->done >= o->ios;
	return now() - t0 >= o->runtime;
}

struct aring {
	unsigned id, nr, head, tail, magic, compat_features, incompat_features, header_length;
	struct io_event events[];
};

static int user_reap(io_context_t ctx, struct io_event *ev, int max)
{
	struct aring *ring = (struct aring *)ctx;
	int i = 0;
	while (i < max && ring->head != ring->tail) {
		unsigned head = ring->head;
		ev[i++] = ring->events[head];
		__sync_synchronize();
		ring->head = (head + 1) % ring->nr;
	}
	return i;
}

static void run_libaio(struct job *j)
{
	const struct options *o = j->o;
	int depth = o->iodepth;
	io_context_t ctx = 0;
	struct iocb *cbs = calloc(depth, sizeof *cbs);
	struct iocb **queue = calloc(depth, sizeof *queue);
	struct io_event *ev = calloc(depth, sizeof *ev);
	double *start = calloc(depth, sizeof *start);
	char *bufs = aligned((size_t)depth * o->bs);
	struct timespec zero = { 0, 0 };
	if (io_setup(depth, &ctx) != 0) {
		j->error = "io_setup failed";
		return;
	}
	int efd = -1;
	if (o->eventfd_reap && (efd = eventfd(0, 0)) < 0) {
		j->error = "eventfd failed";
		io_destroy(ctx);
		return;
	}
	memset(bufs, 0x5a, (size_t)depth * o->bs);
	int free_n = depth, in_flight = 0;
	int *free_slots = calloc(depth, sizeof *free_slots);
	for (int i = 0; i < depth; i++)
		free_slots[i] = i;
	double t0 = now();
	while (!job_over(j, t0) || in_flight > 0) {
		int n = 0;
		while (free_n > 0 && n < o->submit_batch && !job_over(j, t0)) {
			int s = free_slots[--free_n], w;
			long long off = next_offset(j, &w);
			if (w)
				io_prep_pwrite(&cbs[s], j->fd, bufs + (size_t)s * o->bs, o->bs, off);
			else
				io_prep_pread(&cbs[s], j->fd, bufs + (size_t)s * o->bs, o->bs, off);
			cbs[s].data = (void *)(intptr_t)s;
			if (efd >= 0)
				io_set_eventfd(&cbs[s], efd);
			queue[n++] = &cbs[s];
		}
		double t = now();
		int sent = 0;
		while (sent < n) {
			int r = io_submit(ctx, n - sent, queue + sent);
			if (r == -EAGAIN)
				break;
			if (r < 0) {
				j->error = "io_submit failed";
				j->stop = 1;
				break;
			}
			for (int i = 0; i < r; i++)
				start[(intptr_t)queue[sent + i]->data] = t;
			sent += r;
		}
		for (int i = sent; i < n; i++)
			free_slots[free_n++] = (int)(intptr_t)queue[i]->data;
		in_flight += sent;
		if (in_flight == 0)
			continue;
		int want = in_flight < o->reap_min ? in_flight : o->reap_min;
		int got = 0;
		while (got < want && efd >= 0) {
			/* QEMU's way: what the ring holds, else sleep on the eventfd. An
			 * event is in the ring before its eventfd increment, so no
			 * completion is missed. */
			got += user_reap(ctx, ev + got, o->reap_max - got);
			uint64_t count;
			if (got < want && read(efd, &count, 8) != 8) {
				j->error = "eventfd read failed";
				j->stop = 1;
				break;
			}
		}
		while (got < want) {
			int r = o->userspace_reap ? user_reap(ctx, ev + got, o->reap_max - got)
						  : io_getevents(ctx, want - got, o->reap_max - got, ev + got, NULL);
			if (r < 0) {
				j->error = "io_getevents failed";
				j->stop = 1;
				break;
			}
			got += r;
		}
		if (!o->userspace_reap && efd < 0 && got < o->reap_max)
			got += io_getevents(ctx, 0, o->reap_max - got, ev + got, &zero);
		t = now();
		for (int i = 0; i < got; i++) {
			int s = (int)(intptr_t)ev[i].data;
			if ((long long)ev[i].res != o->bs && !j->error)
				j->error = "short or failed I/O";
			record(&j->lat, (t - start[s]) * 1e9);
			free_slots[free_n++] = s;
		}
		in_flight -= got;
		j->done += got;
	}
	io_destroy(ctx);
	if (efd >= 0)
		close(efd);
}

#ifdef _WIN32
/* Starts the next request of an IOCP job in slot `s`; false if it failed. */
static int iocp_issue(struct job *j, OVERLAPPED *ov, double *start, char *bufs, int s)
{
	int w;
	long long off = next_offset(j, &w);
	memset(&ov[s], 0, sizeof ov[s]);
	ov[s].Offset = (DWORD)off;
	ov[s].OffsetHigh = (DWORD)(off >> 32);
	start[s] = now();
	char *buf = bufs + (size_t)s * j->o->bs;
	BOOL ok = w ? WriteFile(j->handle, buf, (DWORD)j->o->bs, NULL, &ov[s])
		    : ReadFile(j->handle, buf, (DWORD)j->o->bs, NULL, &ov[s]);
	if (!ok && GetLastError() != ERROR_IO_PENDING) {
		j->error = "ReadFile/WriteFile failed";
		return 0;
	}
	return 1;
}

/* Raw IOCP: overlapped ReadFile/WriteFile on the job's handle, completions
 * dequeued in batches with GetQueuedCompletionStatusEx. */
static void run_iocp(struct job *j)
{
	const struct options *o = j->o;
	int depth = o->iodepth;
	HANDLE port = CreateIoCompletionPort(j->handle, NULL, 1, 0);
	OVERLAPPED *ov = calloc(depth, sizeof *ov);
	OVERLAPPED_ENTRY *entries = calloc(depth, sizeof *entries);
	double *start = calloc(depth, sizeof *start);
	char *bufs = aligned((size_t)depth * o->bs);
	memset(bufs, 0x5a, (size_t)depth * o->bs);
	if (!port) {
		j->error = "CreateIoCompletionPort failed";
		return;
	}
	int in_flight = 0;
	double t0 = now();
	for (int s = 0; s < depth; s++) {
		if (!iocp_issue(j, ov, start, bufs, s))
			break;
		in_flight++;
	}
	while (in_flight > 0) {
		ULONG got = 0;
		if (!GetQueuedCompletionStatusEx(port, entries, (ULONG)o->reap_max, &got, INFINITE, FALSE))
			break;
		double t = now();
		for (ULONG i = 0; i < got; i++) {
			int s = (int)(entries[i].lpOverlapped - ov);
			if (entries[i].dwNumberOfBytesTransferred != (DWORD)o->bs && !j->error)
				j->error = "short or failed I/O";
			record(&j->lat, (t - start[s]) * 1e9);
			j->done++;
			in_flight--;
			if (!job_over(j, t0) && iocp_issue(j, ov, start, bufs, s))
				in_flight++;
		}
	}
	CloseHandle(port);
}

/* Synchronous positional I/O: one request at a time on a synchronous
 * handle, seek then read or write (what fio's pread emulation does; a
 * ReadFile with an OVERLAPPED offset costs a Wine server round trip). */
static void run_psync(struct job *j)
{
	const struct options *o = j->o;
	char *buf = aligned((size_t)o->bs);
	memset(buf, 0x5a, (size_t)o->bs);
	double t0 = now();
	while (!job_over(j, t0)) {
		int w;
		LARGE_INTEGER off;
		DWORD n = 0;
		off.QuadPart = next_offset(j, &w);
		double t = now();
		SetFilePointerEx(j->handle, off, NULL, FILE_BEGIN);
		BOOL ok = w ? WriteFile(j->handle, buf, (DWORD)o->bs, &n, NULL) : ReadFile(j->handle, buf, (DWORD)o->bs, &n, NULL);
		if (!ok || n != (DWORD)o->bs) {
			j->error = "short or failed I/O";
			break;
		}
		record(&j->lat, (now() - t) * 1e9);
		j->done++;
	}
}
#endif

static void *job_main(void *arg)
{
	struct job *j = arg;
	switch (j->o->engine) {
	case ENGINE_LIBAIO: run_libaio(j); break;
#ifdef _WIN32
	case ENGINE_IOCP: run_iocp(j); break;
	case ENGINE_PSYNC: run_psync(j); break;
#endif
	default: j->error = "engine not available on this platform";
	}
	return NULL;
}

#ifdef _WIN32
static DWORD WINAPI trampoline(LPVOID p)
{
	job_main(p);
	return 0;
}
#endif

/* Creates the file at its size if needed, makes it durable (so no write-back
 * of it competes with the measurement), and reads it once so that buffered
 * runs find it in the page cache. */
static int prepare_file(const struct options *o)
{
	struct stat st;
	int flags = O_RDWR | O_CREAT;
#ifdef O_BINARY
	flags |= O_BINARY;
#endif
	int exists = stat(o->file, &st) == 0 && st.st_size >= o->size;
	int fd = open(o->file, flags | (exists ? 0 : O_TRUNC), 0644);
	if (fd < 0)
		return -1;
	size_t chunk = 1 << 20;
	char *buf = malloc(chunk);
	for (size_t i = 0; i < chunk; i++)
		buf[i] = (char)(i * 7 + 3);
	for (long long done = 0; !exists && done < o->size; done += chunk)
		if (write(fd, buf, chunk) != (ssize_t)chunk)
			return -1;
#ifdef _WIN32
	_commit(fd);
	_lseeki64(fd, 0, SEEK_SET);
#else
	fsync(fd);
	lseek(fd, 0, SEEK_SET);
#endif
	while (read(fd, buf, chunk) > 0)
		;
	free(buf);
	return close(fd);
}

struct result {
	double iops, mibps, cpu_per_io_us;
	struct histogram lat;
	const char *error;
};

static int open_job_file(struct job *j)
{
	const struct options *o = j->o;
	int flags = (o->write_pct > 0 ? O_RDWR : O_RDONLY) | (o->direct ? O_DIRECT : 0);
#ifdef _WIN32
	if (o->engine != ENGINE_LIBAIO) {
		DWORD access = GENERIC_READ | (o->write_pct > 0 ? GENERIC_WRITE : 0);
		DWORD f = (o->engine == ENGINE_IOCP ? FILE_FLAG_OVERLAPPED : 0) | (o->direct ? FILE_FLAG_NO_BUFFERING : 0);
		j->handle = CreateFileA(o->file, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, f, NULL);
		return j->handle == INVALID_HANDLE_VALUE ? -1 : 0;
	}
	flags |= O_BINARY;
#endif
	j->fd = open(o->file, flags);
	return j->fd < 0 ? -1 : 0;
}

static void close_job_file(struct job *j)
{
#ifdef _WIN32
	if (j->o->engine != ENGINE_LIBAIO) {
		CloseHandle(j->handle);
		return;
	}
#endif
	close(j->fd);
}

static struct result run(const struct options *o, int progress)
{
	struct result res;
	memset(&res, 0, sizeof res);
	struct job *jobs = calloc(o->numjobs, sizeof *jobs);
	thread_t *threads = calloc(o->numjobs, sizeof *threads);
	for (int i = 0; i < o->numjobs; i++) {
		jobs[i].o = o;
		jobs[i].id = i;
		jobs[i].rng = 0x9e3779b97f4a7c15ULL * (unsigned long long)(i + 1);
		jobs[i].next_seq = (o->size / o->numjobs / o->bs) * o->bs * i;
		if (open_job_file(&jobs[i]) != 0) {
			res.error = "cannot open the file";
			return res;
		}
	}
	double c0 = cpu_time(), t0 = now();
	for (int i = 0; i < o->numjobs; i++) {
#ifdef _WIN32
		threads[i] = CreateThread(NULL, 0, trampoline, &jobs[i], 0, NULL);
#else
		pthread_create(&threads[i], NULL, job_main, &jobs[i]);
#endif
	}
	if (progress) {
		double last = t0;
		long long last_done = 0;
		for (;;) {
			int running = 0;
			for (int i = 0; i < o->numjobs; i++)
#ifdef _WIN32
				running |= WaitForSingleObject(threads[i], 0) == WAIT_TIMEOUT;
#else
				running |= pthread_tryjoin_np(threads[i], NULL) == EBUSY;
#endif
			if (!running)
				break;
#ifdef _WIN32
			Sleep(500);
#else
			usleep(500000);
#endif
			long long d = 0;
			for (int i = 0; i < o->numjobs; i++)
				d += jobs[i].done;
			double t = now();
			fprintf(stderr, "\r[%5.1fs] %10.0f IOPS ", t - t0, (d - last_done) / (t - last));
			last = t;
			last_done = d;
		}
		fprintf(stderr, "\r%40s\r", "");
	}
	long long done = 0;
	for (int i = 0; i < o->numjobs; i++) {
#ifdef _WIN32
		WaitForSingleObject(threads[i], INFINITE);
		CloseHandle(threads[i]);
#else
		if (!progress)
			pthread_join(threads[i], NULL);
#endif
		done += jobs[i].done;
		merge(&res.lat, &jobs[i].lat);
		if (jobs[i].error)
			res.error = jobs[i].error;
		close_job_file(&jobs[i]);
	}
	double elapsed = now() - t0, cpu = cpu_time() - c0;
	res.iops = done / elapsed;
	res.mibps = res.iops * o->bs / 1048576.0;
	res.cpu_per_io_us = done ? cpu / done * 1e6 : 0;
	return res;
}

static void print_result(const struct options *o, const struct result *r)
{
	const char *rw = o->write_pct == 0 ? "read" : o->write_pct == 100 ? "write" : "rw";
	if (o->json) {
		printf("{\"engine\":\"%s\",\"rw\":\"%s%s\",\"bs\":%lld,\"iodepth\":%d,\"direct\":%d,\"numjobs\":%d,"
		       "\"iops\":%.1f,\"mibps\":%.2f,\"lat_us\":{\"min\":%.2f,\"avg\":%.2f,\"p50\":%.2f,\"p99\":%.2f,"
		       "\"p99.9\":%.2f,\"max\":%.2f},\"cpu_per_io_us\":%.3f,\"error\":%s%s%s}\n",
		       engine_names[o->engine], o->random ? "rand" : "", rw, o->bs, o->iodepth, o->direct, o->numjobs,
		       r->iops, r->mibps, r->lat.min / 1e3, r->lat.n ? r->lat.sum / r->lat.n / 1e3 : 0,
		       percentile(&r->lat, 50) / 1e3, percentile(&r->lat, 99) / 1e3, percentile(&r->lat, 99.9) / 1e3,
		       r->lat.max / 1e3, r->cpu_per_io_us, r->error ? "\"" : "", r->error ? r->error : "null",
		       r->error ? "\"" : "");
		return;
	}
	printf("%s %s%s bs=%lld iodepth=%d direct=%d numjobs=%d: %.0f IOPS, %.1f MiB/s, CPU %.2f us/IO\n",
	       engine_names[o->engine], o->random ? "rand" : "", rw, o->bs, o->iodepth, o->direct, o->numjobs, r->iops,
	       r->mibps, r->cpu_per_io_us);
	printf("  latency us: min %.1f avg %.1f p50 %.1f p99 %.1f p99.9 %.1f max %.1f\n", r->lat.min / 1e3,
	       r->lat.n ? r->lat.sum / r->lat.n / 1e3 : 0, percentile(&r->lat, 50) / 1e3, percentile(&r->lat, 99) / 1e3,
	       percentile(&r->lat, 99.9) / 1e3, r->lat.max / 1e3);
	if (r->error)
		printf("  error: %s\n", r->error);
}

/* ---- compare: the standard set, engines alternated, medians and ratios ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct std_job {
	const char *name, *rw;
	const char *bs;
	int iodepth;
};

static const struct std_job standard[] = {
	{ "4k randread qd1", "randread", "4k", 1 },
	{ "4k randread qd32", "randread", "4k", 32 },
	{ "4k randread qd128", "randread", "4k", 128 },
	{ "4k randwrite qd32", "randwrite", "4k", 32 },
	{ "128k read qd8", "read", "128k", 8 },
};

static int compare(int argc, char **argv)
{
	int runs = 3, quick = 0, json = 0;
	const char *file = NULL;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "runs=", 5) == 0)
			runs = atoi(argv[i] + 5);
		else if (strncmp(argv[i], "quick=", 6) == 0)
			quick = atoi(argv[i] + 6);
		else if (strncmp(argv[i], "json=", 5) == 0)
			json = atoi(argv[i] + 5);
		else
			file = argv[i];
	}
	if (!file) {
		fprintf(stderr, "usage: aio-bench compare [runs=N] [quick=1] [json=1] FILE\n");
		return 2;
	}
#ifdef _WIN32
	int engines[] = { ENGINE_LIBAIO, ENGINE_IOCP, ENGINE_PSYNC };
	int n_engines = 3;
#else
	int engines[] = { ENGINE_LIBAIO };
	int n_engines = 1;
#endif
	struct options base;
	defaults(&base);
	base.file = file;
	base.size = quick ? 64LL << 20 : 1LL << 30;
	base.runtime = quick ? 0.3 : 1.5;
	if (prepare_file(&base) != 0) {
		perror("aio-bench: preparing the file");
		return 1;
	}
	if (!json)
		printf("%-20s %-6s %-7s %12s %12s %12s %10s %10s\n", "job", "direct", "engine", "IOPS", "p99 us", "CPU us/IO",
		       "vs psync", "vs iocp");
	for (int direct = 0; direct <= 1; direct++) {
		for (size_t s = 0; s < sizeof standard / sizeof standard[0]; s++) {
			double iops[3][64], p99[3][64], cpu[3][64], med_iops[3] = { 0 };
			const char *err[3] = { 0 };
			/* Engines alternate within each round: the machine's drift hits
			 * them alike. */
			for (int r = 0; r < runs && r < 64; r++) {
				for (int e = 0; e < n_engines; e++) {
					struct options o = base;
					char kv[64];
					o.engine = engines[e];
					o.direct = direct;
					snprintf(kv, sizeof kv, "rw=%s", standard[s].rw);
					set_option(&o, kv);
					snprintf(kv, sizeof kv, "bs=%s", standard[s].bs);
					set_option(&o, kv);
					o.iodepth = standard[s].iodepth;
					finish_options(&o);
					struct result res = run(&o, 0);
					iops[e][r] = res.iops;
					p99[e][r] = percentile(&res.lat, 99) / 1e3;
					cpu[e][r] = res.cpu_per_io_us;
					if (res.error)
						err[e] = res.error;
				}
			}
			for (int e = 0; e < n_engines; e++) {
				med_iops[e] = median(iops[e], runs);
				double mp99 = median(p99[e], runs), mcpu = median(cpu[e], runs);
				if (json) {
					printf("{\"job\":\"%s\",\"direct\":%d,\"engine\":\"%s\",\"iops\":%.1f,\"p99_us\":%.2f,"
					       "\"cpu_per_io_us\":%.3f,\"runs\":%d,\"error\":%s%s%s}\n",
					       standard[s].name, direct, engine_names[engines[e]], med_iops[e], mp99, mcpu, runs,
					       err[e] ? "\"" : "", err[e] ? err[e] : "null", err[e] ? "\"" : "");
				} else {
					printf("%-20s %-6d %-7s %12.0f %12.1f %12.2f", standard[s].name, direct,
					       engine_names[engines[e]], med_iops[e], mp99, mcpu);
					if (e == 0 && n_engines > 2)
						printf(" %9.2fx %9.2fx", med_iops[0] / med_iops[2], med_iops[0] / med_iops[1]);
					printf("%s%s\n", err[e] ? "  error: " : "", err[e] ? err[e] : "");
				}
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "compare") == 0)
		return compare(argc - 2, argv + 2);
	struct options o;
	defaults(&o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		while (*a == '-')
			a++;
		if (strcmp(a, "json") == 0)
			o.json = 1;
		else if (!set_option(&o, a))
			o.file = argv[i];
	}
	if (!o.file) {
		fprintf(stderr, "usage: aio-bench [engine=libaio|iocp|psync] [rw=...] [bs=4k] [iodepth=32] [size=1g]\n"
				"                 [runtime=3 | ios=N] [direct=1] [numjobs=N] [submit_batch=N] [reap_min=N]\n"
				"                 [reap_max=N] [userspace_reap=1] [eventfd_reap=1] [json=1] FILE\n"
				"       aio-bench compare [runs=3] [quick=1] [json=1] FILE\n");
		return 2;
	}
	finish_options(&o);
	if (prepare_file(&o) != 0) {
		perror("aio-bench: preparing the file");
		return 1;
	}
#ifdef _WIN32
	int tty = _isatty(_fileno(stderr));
#else
	int tty = isatty(2);
#endif
	struct result r = run(&o, tty && !o.json);
	print_result(&o, &r);
	return r.error ? 1 : 0;
}
