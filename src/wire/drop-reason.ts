/**
 * Why a packet was not accepted. Parsers return one of these instead of throwing; the host counts
 * it (per reason) and drops the packet. Names follow Linux's SKB_DROP_REASON_* where one exists.
 */
export type DropReason =
  | 'truncated' // shorter than the header (or the length fields) say
  | 'bad-version' // IPv4 version field is not 4
  | 'bad-ihl' // IHL < 5 or beyond the packet
  | 'bad-total-length' // IPv4 total length < IHL*4 or > the bytes received
  | 'ip-checksum' // IPv4 header checksum wrong
  | 'ip-options' // IPv4 options malformed
  | 'tcp-checksum' // TCP checksum (with pseudo-header) wrong
  | 'udp-checksum'
  | 'icmp-checksum'
  | 'tcp-data-offset' // data offset < 5 or beyond the segment
  | 'tcp-option-overrun' // an option's length runs past the header
  | 'tcp-option-length' // an option with an impossible length (e.g. MSS with len != 4)
  | 'udp-length' // UDP length field inconsistent
  | 'icmp-type' // ICMP type/code not understood
  | 'no-route'
  | 'ttl-exceeded'
  | 'not-for-us'
  | 'no-socket' // no listener/connection and no reply owed (counted, e.g. RST to closed port)
  | 'fragment' // fragment handling (reassembly timeout, overlap, limits)
  | 'martian-source'
  | 'link-down'
  | 'queue-full'
  | 'tcp-invalid' // engine rejected the segment (not acceptable, PAWS, bad ACK…)
  | 'other';

/** Parse outcome: either ok with a value, or a typed reason. Never an exception. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: DropReason };
