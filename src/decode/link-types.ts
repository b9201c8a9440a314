// The LINKTYPE_* numbers of capture files and libpcap (https://www.tcpdump.org/linktypes.html), named once for dispatch and tests.

export const LinkType = {
  /** BSD loopback: 4-byte address family in the capturing host's byte order */
  null: 0,
  ethernet: 1,
  ppp: 9,
  /** DLT_RAW as written by some BSDs (12) and OpenBSD (14) instead of LINKTYPE_RAW */
  rawBsd: 12,
  rawOpenBsd: 14,
  pppHdlc: 50,
  /** PPPoE session header without Ethernet (RFC 2516) */
  pppEther: 51,
  raw: 101,
  ciscoHdlc: 104,
  /** OpenBSD loopback: like null, but the address family is in network byte order */
  loop: 108,
  linuxSll: 113,
  ppi: 192,
  ipv4: 228,
  ipv6: 229,
  nflog: 239,
  linuxSll2: 276,
} as const;
