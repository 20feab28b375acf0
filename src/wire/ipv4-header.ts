import type { Ipv4Addr } from './ipv4-addr.js';

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** No IP options: one shared empty view (it cannot be written to). */
const NO_OPTIONS = new Uint8Array(0);

/** IPv4 header (RFC 791), mutable and reusable like TcpSegment. */
export class Ipv4Header {
  /** Header length in bytes (IHL*4). */
  headerLength = 20;
  tos = 0;
  totalLength = 0;
  id = 0;
  /** Don't Fragment. */
  df = false;
  /** More Fragments. */
  mf = false;
  /** Fragment offset in bytes (the wire carries 8-byte units). */
  fragmentOffset = 0;
  ttl = 64;
  protocol = 0;
  checksum = 0;
  src: Ipv4Addr = 0;
  dst: Ipv4Addr = 0;
  /** Options bytes (a view), skipped safely; empty when IHL is 5. */
  options: Uint8Array = NO_OPTIONS;
}
