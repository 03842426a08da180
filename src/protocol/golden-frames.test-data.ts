/**
 * Frames captured from the Linux kernel (6.18, Debian 12) with `tcpdump -xx` on a veth pair between two
 * namespaces: client 02:00:00:00:00:64 (10.100.0.100, fd00:100::100) and node 02:00:00:00:00:0b
 * (10.100.0.11, fd00:100::11). The kernel is the peer every client of ours is.
 */
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

/** `ping 10.100.0.11` from the client: who-has 10.100.0.11 tell 10.100.0.100 (42 bytes: veth does not pad). */
export const kernelArpRequest = hex(`
  ffff ffff ffff 0200 0000 0064 0806 0001 0800 0604 0001 0200 0000 0064 0a64 0064
  0000 0000 0000 0a64 000b`);

/** The node's kernel answer: 10.100.0.11 is-at 02:00:00:00:00:0b. */
export const kernelArpReply = hex(`
  0200 0000 0064 0200 0000 000b 0806 0001 0800 0604 0002 0200 0000 000b 0a64 000b
  0200 0000 0064 0a64 0064`);

/** `ping -6 fd00:100::11`: NS from fd00:100::100 to ff02::1:ff00:11 with a Source Link-Layer Address option. */
export const kernelNeighborSolicitation = hex(`
  3333 ff00 0011 0200 0000 0064 86dd 6000 0000 0020 3aff fd00 0100 0000 0000 0000
  0000 0000 0100 ff02 0000 0000 0000 0000 0001 ff00 0011 8700 7a17 0000 0000 fd00
  0100 0000 0000 0000 0000 0000 0011 0101 0200 0000 0064`);

/** The node's kernel answer: NA S|O for fd00:100::11 with a Target Link-Layer Address option. */
export const kernelNeighborAdvertisement = hex(`
  0200 0000 0064 0200 0000 000b 86dd 6000 0000 0020 3aff fd00 0100 0000 0000 0000
  0000 0000 0011 fd00 0100 0000 0000 0000 0000 0000 0100 8800 1874 6000 0000 fd00
  0100 0000 0000 0000 0000 0000 0011 0201 0200 0000 000b`);

/** Duplicate Address Detection for fd00:100::11: from ::, no SLLA, a Nonce option (RFC 7527). */
export const kernelDadProbe = hex(`
  3333 ff00 0011 0200 0000 000b 86dd 6000 0000 0020 3aff 0000 0000 0000 0000 0000
  0000 0000 0000 ff02 0000 0000 0000 0000 0001 ff00 0011 8700 4ab5 0000 0000 fd00
  0100 0000 0000 0000 0000 0000 0011 0e01 5b24 734a 5558`);

/** A Router Solicitation from fe80::ff:fe00:b (ICMPv6, but not NS/NA). */
export const kernelRouterSolicitation = hex(`
  3333 0000 0002 0200 0000 000b 86dd 6000 0000 0010 3aff fe80 0000 0000 0000 0000
  00ff fe00 000b ff02 0000 0000 0000 0000 0000 0000 0002 8500 7b18 0000 0000 0101
  0200 0000 000b`);
