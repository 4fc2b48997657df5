// A client and a server in two processes, talking with zx_channel_call.
//
// Run as a program, this is the server. It starts itself again from the boot image as
// the client (zrk_launch_boot, <zrk/launch.h>) with one end of a channel, and serves
// from a port loop: zx_object_wait_async asks for a packet when the channel is readable
// or its peer closed, zx_port_wait takes it. Each request is answered with the same
// transaction id (its first four bytes) and the text upper-cased. The client makes its
// calls with zx_channel_call, which writes the request and waits for the reply whose id
// matches, then closes its end; the server sees PEER_CLOSED and ends.
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>
#include <zrk/launch.h>
#include <zrk/startup.h>

typedef struct {
  zx_txid_t txid;
  char text[60];
} message_t;

static void check(zx_status_t status, const char* what) {
  if (status != ZX_OK) {
    printf("echo_server: %s: %s\n", what, zx_status_get_string(status));
    zx_process_exit(1);
  }
}

static int client(zx_handle_t channel) {
  const char* words[] = {"hello", "from", "another", "process"};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
    message_t request = {0}, reply = {0};
    snprintf(request.text, sizeof request.text, "%s", words[i]);
    zx_channel_call_args_t args = {
        .wr_bytes = &request,
        .wr_num_bytes = sizeof request,
        .rd_bytes = &reply,
        .rd_num_bytes = sizeof reply,
    };
    uint32_t actual_bytes = 0, actual_handles = 0;
    check(zx_channel_call(channel, 0, zx_deadline_after(ZX_SEC(10)), &args, &actual_bytes,
                          &actual_handles),
          "calling the server");
    printf("client: sent \"%s\", got \"%s\"\n", request.text, reply.text);
  }
  return 0;
}

static int server(void) {
  zx_handle_t channel[2], port, process;
  check(zx_channel_create(0, &channel[0], &channel[1]), "creating the channel");
  check(zx_port_create(0, &port), "creating the port");
  const char* argv[] = {"echo_server", "client"};
  check(zrk_launch_boot(zx_job_default(), "echo_server", 2, argv, channel[1], &process),
        "starting the client");

  int served = 0;
  for (;;) {
    check(zx_object_wait_async(channel[0], port, 1, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                               0),
          "asking for a packet");
    zx_port_packet_t packet;
    check(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &packet), "waiting on the port");
    // Read everything queued before looking at PEER_CLOSED: the client's last request
    // may come with it.
    message_t m;
    uint32_t actual_bytes = 0, actual_handles = 0;
    while (zx_channel_read(channel[0], 0, &m, NULL, sizeof m, 0, &actual_bytes,
                           &actual_handles) == ZX_OK) {
      for (char* c = m.text; *c; c++) {
        *c = (char)toupper((unsigned char)*c);
      }
      check(zx_channel_write(channel[0], 0, &m, actual_bytes, NULL, 0), "replying");
      served++;
    }
    if (packet.signal.observed & ZX_CHANNEL_PEER_CLOSED) {
      break;
    }
  }
  check(zx_object_wait_one(process, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL),
        "waiting for the client to end");
  zx_info_process_t info;
  check(zx_object_get_info(process, ZX_INFO_PROCESS, &info, sizeof info, NULL, NULL), "info");
  printf("server: served %d calls; the client exited %lld\n", served,
         (long long)info.return_code);
  return served == 4 && info.return_code == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "client") == 0) {
    return client(zrk_startup()->user0);
  }
  return server();
}
