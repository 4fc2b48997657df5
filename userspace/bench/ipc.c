// Benchmark: channels, ports and a VMO passed between handles, on one CPU (scripts/bench
// boots with -smp 1). See <zrk/bench.h> for how rows are timed; scripts/bench runs this.
//
//   channel_write_read   zx_channel_write of 64 bytes to one end and zx_channel_read of
//                        them from the other, in one thread
//   channel_call_thread  zx_channel_call of 64 bytes, the reply 64 bytes, served by a
//                        second thread of this process (echo_serve below)
//   channel_call_process the same round trip, served by a second process: this program
//                        started again from the boot image with zrk_launch_boot and the
//                        argument "server", running the same echo_serve
//   port_queue_wait      zx_port_queue of a user packet + zx_port_wait returning it
//   event_port_packet    zx_object_signal raises an event's signal that a ONCE
//                        zx_object_wait_async registration waits for, zx_port_wait returns
//                        the signal packet, and zx_object_wait_async registers again
//   vmo_channel_map      zx_vmo_create (one page), zx_channel_write of its handle,
//                        zx_channel_read of it at the other end, zx_vmar_map, one store
//                        to the page (the fault: allocate, zero, map), zx_vmar_unmap,
//                        zx_handle_close; one thread plays both sides
#include <zrk/bench.h>
#include <zrk/launch.h>
#include <zrk/startup.h>
#include <zrk/thread_util.h>

#define MESSAGE 64u

// --- The echo server ---------------------------------------------------------------------

// Serves zx_channel_call: waits until the channel is readable, reads a message, writes
// it back unchanged (so its transaction id, the first four bytes, is the request's), and
// again, until the peer closes. Plain syscalls and stack memory only: it also runs as a
// raw thread (no TLS). Returns the status that ended it (ZX_ERR_PEER_CLOSED normally).
static zx_status_t echo_serve(zx_handle_t channel) {
  uint8_t buffer[MESSAGE];
  for (;;) {
    zx_signals_t observed = 0;
    zx_status_t s = zx_object_wait_one(channel, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                                       ZX_TIME_INFINITE, &observed);
    if (s != ZX_OK) return s;
    uint32_t bytes = 0, handles = 0;
    s = zx_channel_read(channel, 0, buffer, NULL, sizeof buffer, 0, &bytes, &handles);
    if (s != ZX_OK) return s;  // PEER_CLOSED once the client has gone and all is read
    s = zx_channel_write(channel, 0, buffer, bytes, NULL, 0);
    if (s != ZX_OK) return s;
  }
}

static void echo_thread(uintptr_t channel, uintptr_t b) {
  (void)b;
  echo_serve((zx_handle_t)channel);
  zx_thread_exit();
}

// --- Channel rows -----------------------------------------------------------------------

typedef struct {
  zx_handle_t a, b;  // a channel's two ends
  uint8_t out[MESSAGE], in[MESSAGE];
} channel_ctx;

static uint64_t channel_write_read(void* arg, uint64_t n) {
  channel_ctx* c = arg;
  uint32_t bytes, handles;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_channel_write(c->a, 0, c->out, MESSAGE, NULL, 0);
    zx_channel_read(c->b, 0, c->in, NULL, MESSAGE, 0, &bytes, &handles);
  }
  return bench_ticks() - start;
}

// n round trips through `client`, whose peer an echo server holds.
static uint64_t call_loop(channel_ctx* c, zx_handle_t client, uint64_t n) {
  zx_channel_call_args_t args = {
      .wr_bytes = c->out,
      .wr_num_bytes = MESSAGE,
      .rd_bytes = c->in,
      .rd_num_bytes = MESSAGE,
  };
  uint32_t bytes, handles;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_channel_call(client, 0, ZX_TIME_INFINITE, &args, &bytes, &handles);
  }
  return bench_ticks() - start;
}

// One untimed call, checked: the server must echo 64 bytes.
static void check_call(channel_ctx* c, zx_handle_t client) {
  zx_channel_call_args_t args = {
      .wr_bytes = c->out,
      .wr_num_bytes = MESSAGE,
      .rd_bytes = c->in,
      .rd_num_bytes = MESSAGE,
  };
  uint32_t bytes = 0, handles = 0;
  BENCH_CHECK(zx_channel_call(client, 0, ZX_TIME_INFINITE, &args, &bytes, &handles));
  if (bytes != MESSAGE || handles != 0 || memcmp(c->in + 4, c->out + 4, MESSAGE - 4) != 0) {
    printf("bench-error,channel_call reply of %u bytes, %u handles\n", bytes, handles);
    exit(1);
  }
}

// The server thread starts (and runs its first call, untimed) before the counter is read;
// closing the client's end after the second read ends it.
static uint64_t channel_call_thread(void* arg, uint64_t n) {
  channel_ctx* c = arg;
  zx_handle_t client, server;
  raw_thread_t partner;
  BENCH_CHECK(zx_channel_create(0, &client, &server));
  BENCH_CHECK(raw_thread_start(&partner, echo_thread, server, 0));
  check_call(c, client);
  uint64_t ticks = call_loop(c, client, n);
  BENCH_CHECK(zx_handle_close(client));
  BENCH_CHECK(raw_thread_join(&partner));
  BENCH_CHECK(zx_handle_close(server));
  return ticks;
}

typedef struct {
  channel_ctx* channel;
  zx_handle_t client;  // its peer is in the server process
} process_call_ctx;

static uint64_t channel_call_process(void* arg, uint64_t n) {
  process_call_ctx* p = arg;
  return call_loop(p->channel, p->client, n);
}

// --- Port rows ----------------------------------------------------------------------------

typedef struct {
  zx_handle_t port, event;
} port_ctx;

static uint64_t port_queue_wait(void* arg, uint64_t n) {
  port_ctx* c = arg;
  zx_port_packet_t packet = {.key = 1, .type = ZX_PKT_TYPE_USER};
  zx_port_packet_t got;
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_port_queue(c->port, &packet);
    zx_port_wait(c->port, ZX_TIME_INFINITE, &got);
  }
  return bench_ticks() - start;
}

// The registration waits for one of two user signals, the one not raised; the signal call
// lowers the other and raises it, and the next registration waits for the one just
// lowered. So every round is one signal, one packet, one fresh registration, and no
// registration finds its signal raised already.
static uint64_t event_port_packet(void* arg, uint64_t n) {
  port_ctx* c = arg;
  zx_port_packet_t got;
  zx_signals_t armed = ZX_USER_SIGNAL_0, other = ZX_USER_SIGNAL_1;
  BENCH_CHECK(zx_object_signal(c->event, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1, other));
  BENCH_CHECK(zx_object_wait_async(c->event, c->port, 2, armed, 0));
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_object_signal(c->event, other, armed);
    zx_port_wait(c->port, ZX_TIME_INFINITE, &got);
    zx_signals_t t = armed;
    armed = other;
    other = t;
    zx_object_wait_async(c->event, c->port, 2, armed, 0);
  }
  uint64_t ticks = bench_ticks() - start;
  // The last registration is still pending: raise its signal and take the packet.
  BENCH_CHECK(zx_object_signal(c->event, other, armed));
  BENCH_CHECK(zx_port_wait(c->port, ZX_TIME_INFINITE, &got));
  return ticks;
}

// Each round trip must end as the rows assume: check once, untimed.
static void check_ports(port_ctx* c) {
  zx_port_packet_t packet = {.key = 1, .type = ZX_PKT_TYPE_USER};
  zx_port_packet_t got;
  BENCH_CHECK(zx_port_queue(c->port, &packet));
  BENCH_CHECK(zx_port_wait(c->port, ZX_TIME_INFINITE, &got));
  if (got.key != 1 || got.type != ZX_PKT_TYPE_USER) {
    printf("bench-error,port_wait returned key %" PRIu64 " type %u\n", got.key, got.type);
    exit(1);
  }
  BENCH_CHECK(zx_object_signal(c->event, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1, 0));
  BENCH_CHECK(zx_object_wait_async(c->event, c->port, 2, ZX_USER_SIGNAL_0, 0));
  if (zx_port_wait(c->port, 0, &got) != ZX_ERR_TIMED_OUT) {
    printf("bench-error,a packet before the signal\n");
    exit(1);
  }
  BENCH_CHECK(zx_object_signal(c->event, 0, ZX_USER_SIGNAL_0));
  BENCH_CHECK(zx_port_wait(c->port, ZX_TIME_INFINITE, &got));
  if (got.key != 2 || got.type != ZX_PKT_TYPE_SIGNAL_ONE ||
      !(got.signal.observed & ZX_USER_SIGNAL_0)) {
    printf("bench-error,wait_async packet key %" PRIu64 " type %u\n", got.key, got.type);
    exit(1);
  }
}

// --- A VMO through a channel --------------------------------------------------------------

static uint64_t vmo_channel_map(void* arg, uint64_t n) {
  channel_ctx* c = arg;
  zx_handle_t root = zx_vmar_root_self();
  uint64_t start = bench_ticks();
  for (uint64_t i = 0; i < n; i++) {
    zx_handle_t vmo, got;
    uint32_t bytes, handles;
    zx_vaddr_t addr;
    zx_vmo_create(BENCH_PAGE, 0, &vmo);
    zx_channel_write(c->a, 0, NULL, 0, &vmo, 1);
    zx_channel_read(c->b, 0, NULL, &got, 0, 1, &bytes, &handles);
    zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, got, 0, BENCH_PAGE, &addr);
    *(volatile uint8_t*)addr = 1;
    zx_vmar_unmap(root, addr, BENCH_PAGE);
    zx_handle_close(got);
  }
  return bench_ticks() - start;
}

static void check_vmo_channel(channel_ctx* c) {
  zx_handle_t vmo, got = ZX_HANDLE_INVALID;
  uint32_t bytes = 0, handles = 0;
  zx_vaddr_t addr;
  zx_info_handle_basic_t sent, received;
  BENCH_CHECK(zx_vmo_create(BENCH_PAGE, 0, &vmo));
  BENCH_CHECK(
      zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &sent, sizeof sent, NULL, NULL));
  BENCH_CHECK(zx_channel_write(c->a, 0, NULL, 0, &vmo, 1));
  BENCH_CHECK(zx_channel_read(c->b, 0, NULL, &got, 0, 1, &bytes, &handles));
  BENCH_CHECK(
      zx_object_get_info(got, ZX_INFO_HANDLE_BASIC, &received, sizeof received, NULL, NULL));
  if (handles != 1 || received.koid != sent.koid) {
    printf("bench-error,the VMO did not come through the channel\n");
    exit(1);
  }
  BENCH_CHECK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, got, 0,
                          BENCH_PAGE, &addr));
  *(volatile uint8_t*)addr = 1;
  BENCH_CHECK(zx_vmar_unmap(zx_vmar_root_self(), addr, BENCH_PAGE));
  BENCH_CHECK(zx_handle_close(got));
}

// --- main ---------------------------------------------------------------------------------

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "server") == 0) {
    // The second process of channel_call_process: its channel end is user0.
    zx_status_t s = echo_serve(zrk_startup()->user0);
    return s == ZX_ERR_PEER_CLOSED ? 0 : 1;
  }
  bench_info();

  static channel_ctx c;
  for (unsigned i = 0; i < MESSAGE; i++) {
    c.out[i] = (uint8_t)(i * 7 + 1);
  }
  BENCH_CHECK(zx_channel_create(0, &c.a, &c.b));
  uint32_t bytes = 0, handles = 0;
  BENCH_CHECK(zx_channel_write(c.a, 0, c.out, MESSAGE, NULL, 0));
  BENCH_CHECK(zx_channel_read(c.b, 0, c.in, NULL, MESSAGE, 0, &bytes, &handles));
  if (bytes != MESSAGE || memcmp(c.in, c.out, MESSAGE) != 0) {
    printf("bench-error,channel read %u bytes\n", bytes);
    exit(1);
  }
  bench_row("channel_write_read", MESSAGE, channel_write_read, &c, 2000);
  bench_row("channel_call_thread", MESSAGE, channel_call_thread, &c, 500);

  // The server process: started once, checked with one call, ended by closing our end.
  process_call_ctx p = {.channel = &c};
  zx_handle_t server_end, server;
  BENCH_CHECK(zx_channel_create(0, &p.client, &server_end));
  const char* server_argv[] = {argv[0], "server"};
  BENCH_CHECK(
      zrk_launch_boot(zx_job_default(), argv[0], 2, server_argv, server_end, &server));
  check_call(&c, p.client);
  bench_row("channel_call_process", MESSAGE, channel_call_process, &p, 500);
  BENCH_CHECK(zx_handle_close(p.client));
  BENCH_CHECK(zx_object_wait_one(server, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_info_process_t info;
  BENCH_CHECK(zx_object_get_info(server, ZX_INFO_PROCESS, &info, sizeof info, NULL, NULL));
  if (info.return_code != 0) {
    printf("bench-error,the server process returned %" PRId64 "\n", info.return_code);
    exit(1);
  }
  BENCH_CHECK(zx_handle_close(server));

  port_ctx pc;
  BENCH_CHECK(zx_port_create(0, &pc.port));
  BENCH_CHECK(zx_event_create(0, &pc.event));
  check_ports(&pc);
  bench_row("port_queue_wait", 0, port_queue_wait, &pc, 2000);
  bench_row("event_port_packet", 0, event_port_packet, &pc, 2000);
  BENCH_CHECK(zx_handle_close(pc.event));
  BENCH_CHECK(zx_handle_close(pc.port));

  check_vmo_channel(&c);
  bench_row("vmo_channel_map", BENCH_PAGE, vmo_channel_map, &c, 200);
  BENCH_CHECK(zx_handle_close(c.a));
  BENCH_CHECK(zx_handle_close(c.b));
  return 0;
}
