/*
 * synack's TUN link: opens a Linux TUN device (IFF_TUN | IFF_NO_PI), configures it with ioctls,
 * and reads it on Node's own event loop with uv_poll (no libuv thread-pool thread is held), in
 * batches: every readiness wake-up drains up to `batch` packets into one ArrayBuffer and makes a
 * single call into JavaScript.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <stdio.h>

#include <node_api.h>
#include <uv.h>

#define MAX_PACKET 65536

typedef struct reader {
  uv_poll_t poll;
  int fd;
  int batch;
  napi_env env;
  napi_ref callback;
  unsigned char *buf; /* cap bytes: as many packets as fit, up to batch */
  size_t cap;
  int vnet; /* every packet is preceded by a struct virtio_net_hdr */
  int closing;
} reader_t;

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value code, text, error;
  napi_create_string_utf8(env, err == EACCES || err == EPERM ? "EPERM" : "ERR_TUN", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_throw(env, error);
  return NULL;
}

static int get_int(napi_env env, napi_value v, int fallback) {
  int32_t out;
  if (napi_get_value_int32(env, v, &out) != napi_ok) return fallback;
  return out;
}

/* open(name, vnet) -> { fd, name } */
static napi_value tun_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char name[IFNAMSIZ] = {0};
  size_t len = 0;
  if (argc >= 1) napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len);
  int vnet = argc >= 2 ? get_int(env, argv[1], 0) : 0;

  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, "open /dev/net/tun", errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  /* With IFF_VNET_HDR every packet carries a virtio_net_hdr, so synack can hand the kernel one
   * large TCP segment that stands for many (GSO), as a virtual NIC with TSO does. */
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
  if (len > 0) strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "TUNSETIFF", err);
  }
  napi_value result, vfd, vname;
  napi_create_object(env, &result);
  napi_create_int32(env, fd, &vfd);
  napi_create_string_utf8(env, ifr.ifr_name, NAPI_AUTO_LENGTH, &vname);
  napi_set_named_property(env, result, "fd", vfd);
  napi_set_named_property(env, result, "name", vname);
  return result;
}

/* The kernel's side speaks IPv6 on every new interface (router solicitations, MLD); synack's host
 * is IPv4-only, so those would only be noise on the link. Best effort: no IPv6 in the kernel is fine. */
static void disable_ipv6(const char *name) {
  char path[96];
  snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
  int f = open(path, O_WRONLY | O_CLOEXEC);
  if (f < 0) return;
  if (write(f, "1", 1) < 0) { /* nothing to do */ }
  close(f);
}

/* configure(name, addr "a.b.c.d", prefixLen, mtu, txqueuelen) — address, netmask, MTU, the queue
 * of packets waiting for synack to read them, then IFF_UP. */
static napi_value tun_configure(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char name[IFNAMSIZ] = {0}, addr[64] = {0};
  size_t len;
  napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len);
  napi_get_value_string_utf8(env, argv[1], addr, sizeof addr, &len);
  int prefix = get_int(env, argv[2], 24);
  int mtu = get_int(env, argv[3], 1500);
  int qlen = argc >= 5 ? get_int(env, argv[4], 0) : 0;
  disable_ipv6(name);

  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return throw_errno(env, "socket", errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
  sin->sin_family = AF_INET;
  if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1) {
    close(s);
    return throw_errno(env, "bad address", EINVAL);
  }
  if (ioctl(s, SIOCSIFADDR, &ifr) < 0) goto fail;
  sin->sin_addr.s_addr = prefix == 0 ? 0 : htonl(0xffffffffu << (32 - prefix));
  if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0) goto fail;
  ifr.ifr_mtu = mtu;
  if (ioctl(s, SIOCSIFMTU, &ifr) < 0) goto fail;
  /* The kernel drops what does not fit in the device's ring (tun_net_xmit): a burst from many
   * connections at once must wait there while JavaScript handles the previous batch. */
  if (qlen > 0) {
    ifr.ifr_qlen = qlen;
    if (ioctl(s, SIOCSIFTXQLEN, &ifr) < 0) goto fail;
  }
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) goto fail;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) goto fail;
  close(s);
  return NULL;
fail: {
  int err = errno;
  close(s);
  return throw_errno(env, "configuring the TUN interface", err);
}
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  reader_t *r = (reader_t *)handle->data;
  if (r->closing || status < 0) return;
  int n = 0;
  uint32_t lengths[1024];
  size_t off = 0;
  struct virtio_net_hdr vh;
  while (n < r->batch && off + MAX_PACKET <= r->cap) {
    ssize_t got;
    if (r->vnet) {
      /* No offloads were offered to the kernel (TUNSETOFFLOAD), so what it sends is plain
       * packets with complete checksums: the header is read and dropped. */
      struct iovec iov[2] = {{&vh, sizeof vh}, {r->buf + off, MAX_PACKET}};
      got = readv(r->fd, iov, 2);
      if (got > 0) got = got > (ssize_t)sizeof vh ? got - (ssize_t)sizeof vh : 0;
      else if (got == 0) break;
    } else {
      got = read(r->fd, r->buf + off, MAX_PACKET);
    }
    if (got <= 0) break;
    lengths[n++] = (uint32_t)got;
    off += (size_t)got;
  }
  if (n == 0) return;

  napi_handle_scope scope;
  napi_open_handle_scope(r->env, &scope);
  void *data;
  napi_value ab, lens, cb, global, argv[2];
  napi_create_arraybuffer(r->env, off, &data, &ab);
  memcpy(data, r->buf, off);
  void *ldata;
  napi_value lab;
  napi_create_arraybuffer(r->env, (size_t)n * 4, &ldata, &lab);
  memcpy(ldata, lengths, (size_t)n * 4);
  napi_create_typedarray(r->env, napi_uint32_array, (size_t)n, lab, 0, &lens);
  argv[0] = ab;
  argv[1] = lens;
  napi_get_reference_value(r->env, r->callback, &cb);
  napi_get_global(r->env, &global);
  napi_value ignored;
  if (napi_make_callback(r->env, NULL, global, cb, 2, argv, &ignored) != napi_ok) {
    /* An exception from the callback is reported by Node as uncaught. */
  }
  napi_close_handle_scope(r->env, scope);
}

static void on_close(uv_handle_t *handle) {
  reader_t *r = (reader_t *)handle->data;
  free(r->buf);
  free(r);
}

static void reader_finalize(napi_env env, void *data, void *hint) {
  /* Lifetime is managed by stop(); nothing here. */
}

/* start(fd, batch, vnet, callback(ArrayBuffer, Uint32Array lengths)) -> handle */
static napi_value tun_start(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd = get_int(env, argv[0], -1);
  int batch = get_int(env, argv[1], 64);
  int vnet = get_int(env, argv[2], 0);
  if (batch < 1) batch = 1;
  if (batch > 1024) batch = 1024;
  reader_t *r = calloc(1, sizeof *r);
  if (!r) return throw_errno(env, "calloc", ENOMEM);
  /* Room for a batch of 1500-byte packets many times over; of 64 KiB ones, 64 at a time. */
  r->cap = (size_t)64 * MAX_PACKET;
  r->buf = malloc(r->cap);
  if (!r->buf) {
    free(r);
    return throw_errno(env, "malloc", ENOMEM);
  }
  r->fd = fd;
  r->batch = batch;
  r->vnet = vnet;
  r->env = env;
  napi_create_reference(env, argv[3], 1, &r->callback);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  if (uv_poll_init(loop, &r->poll, fd) != 0) {
    napi_delete_reference(env, r->callback);
    free(r->buf);
    free(r);
    return throw_errno(env, "uv_poll_init", EINVAL);
  }
  r->poll.data = r;
  uv_poll_start(&r->poll, UV_READABLE, on_readable);
  napi_value handle;
  napi_create_external(env, r, reader_finalize, NULL, &handle);
  return handle;
}

/* stop(handle): stops watching; the fd stays open. */
static napi_value tun_stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  reader_t *r;
  if (napi_get_value_external(env, argv[0], (void **)&r) != napi_ok || r == NULL || r->closing) return NULL;
  r->closing = 1;
  uv_poll_stop(&r->poll);
  napi_delete_reference(env, r->callback);
  uv_close((uv_handle_t *)&r->poll, on_close);
  return NULL;
}

/* write(fd, Uint8Array, vnet, gsoSize, hdrLen) -> bytes written, or -errno. With vnet, a
 * virtio_net_hdr goes first: empty for an ordinary packet; for a TCP segment of several MSS
 * (gsoSize > 0, headers hdrLen bytes), GSO TCPv4 with the checksum left to the kernel. */
static napi_value tun_write(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd = get_int(env, argv[0], -1);
  int vnet = argc >= 3 ? get_int(env, argv[2], 0) : 0;
  int gso = argc >= 4 ? get_int(env, argv[3], 0) : 0;
  int hdr_len = argc >= 5 ? get_int(env, argv[4], 0) : 0;
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[1], &type, &length, &data, &ab, &offset) != napi_ok) {
    return throw_errno(env, "write expects a Uint8Array", EINVAL);
  }
  ssize_t n;
  if (vnet) {
    struct virtio_net_hdr vh;
    memset(&vh, 0, sizeof vh);
    if (gso > 0) {
      vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
      vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
      vh.hdr_len = (uint16_t)hdr_len;
      vh.gso_size = (uint16_t)gso;
      vh.csum_start = 20; /* the TCP header, after an IPv4 header without options */
      vh.csum_offset = 16;
    }
    struct iovec iov[2] = {{&vh, sizeof vh}, {data, length}};
    n = writev(fd, iov, 2);
    if (n > 0) n = n > (ssize_t)sizeof vh ? n - (ssize_t)sizeof vh : 0;
  } else {
    n = write(fd, data, length);
  }
  napi_value result;
  napi_create_int32(env, n < 0 ? -errno : (int32_t)n, &result);
  return result;
}

static napi_value tun_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd = get_int(env, argv[0], -1);
  if (fd >= 0) close(fd);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, tun_open, NULL, NULL, NULL, napi_default, NULL},
      {"configure", NULL, tun_configure, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, tun_start, NULL, NULL, NULL, napi_default, NULL},
      {"stop", NULL, tun_stop, NULL, NULL, NULL, napi_default, NULL},
      {"write", NULL, tun_write, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, tun_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
