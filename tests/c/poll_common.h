/* What the IO_CMD_POLL tests share: their context, a look at the ring
 * without waiting, and the io_cancel case. Included after harness.h. */
#ifndef POLL_COMMON_H
#define POLL_COMMON_H

static io_context_t ctx;

/* Events waiting now, without blocking. */
static inline int waiting(struct io_event *ev, int max)
{
	struct timespec zero = { 0, 0 };
	return io_getevents(ctx, 0, max, ev, &zero);
}

/* io_cancel of the poll `cb`, prepared and not yet submitted: -EINPROGRESS,
 * its event (res 0, data and obj intact), nothing more, and -EINVAL when
 * cancelled again. */
static inline void cancel_armed_poll(struct iocb *cb)
{
	struct iocb *list[1] = { cb };
	struct io_event ev[4];
	cb->data = (void *)0x5678;
	show("poll POLLIN to cancel", io_submit(ctx, 1, list));
	show("io_cancel of the armed poll", io_cancel(ctx, cb, &ev[3]));
	/* Linux finishes the cancel from a work queue: the event comes soon
	 * after, not necessarily before io_cancel returns. */
	reap(ctx, ev, 1);
	printf("  its event: res %lld, data %d, obj %d\n", event_res(&ev[0]), ev[0].data == (void *)0x5678,
	       ev[0].obj == cb);
	show("  events after it", waiting(ev, 4));
	show("io_cancel again", io_cancel(ctx, cb, &ev[3]));
}

#endif
