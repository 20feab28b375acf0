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
  // The TCP engine's reasons, Linux's SKB_DROP_REASON_TCP_* in lower case:
  | 'tcp-old-data' // TCP_OLD_DATA: every byte is below RCV.NXT (a DSACK answers it)
  | 'tcp-invalid-sequence' // TCP_INVALID_SEQUENCE: outside the receive window
  | 'tcp-reset' // TCP_RESET: an RST (acted on, or answered with a challenge ACK)
  | 'tcp-invalid-syn' // TCP_INVALID_SYN: a SYN in a synchronized state (RFC 5961 §4)
  | 'tcp-flags' // TCP_FLAGS: no ACK bit where one is required
  | 'tcp-too-old-ack' // TCP_TOO_OLD_ACK: SEG.ACK below SND.UNA - MAX.SND.WND (RFC 5961 §5)
  | 'tcp-ack-unsent-data' // TCP_ACK_UNSENT_DATA: SEG.ACK beyond SND.NXT
  | 'tcp-old-ack' // TCP_OLD_ACK: the final ACK of a handshake does not match
  | 'tcp-rfc7323-paws' // TCP_RFC7323_PAWS: an old timestamp
  | 'tcp-close' // TCP_CLOSE: for a connection already closing (TIME-WAIT, closed listener)
  | 'tcp-zerowindow' // TCP_ZEROWINDOW: in-order data with no room for it
  | 'tcp-ofo-drop' // TCP_OFO_DROP: out-of-order data beyond what the buffer can hold
  | 'proto-mem' // PROTO_MEM: tcp_mem is exhausted (memory pressure, pruning failed)
  | 'tcp-listen-overflow' // LISTENOVERFLOWS / TCP_REQQFULLDROP: the accept or SYN queue is full
  | 'tcp-bad-cookie' // an ACK to a listener whose SYN cookie does not check
  | 'frag-reasm-timeout' // IP_FRAG_REASM_TIMEOUT
  | 'frag-too-far' // IP_FRAG_TOO_FAR / overlaps and limits (ipfrag_high_thresh)
  | 'other';

/** Parse outcome: either ok with a value, or a typed reason. Never an exception. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: DropReason };
