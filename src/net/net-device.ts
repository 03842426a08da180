/**
 * Whether a network device (here: a Linux VRF device named by a BGPPeer's `vrf`) exists, in this process's
 * network namespace or a named one, through if_nametoindex. The device's kind is not checked: binding a BGP
 * socket to any device works the same way (SO_BINDTODEVICE), and a VRF is what FRR and MetalLB expect there.
 */
import { errorCode } from '../lib/errors.js';
import { nativeAddon, netnsPath, sysError } from './native.js';

export function netDeviceExists(name: string, netns?: string): boolean {
  try {
    nativeAddon().ifNameToIndex(name, netns === undefined ? undefined : netnsPath(netns));
    return true;
  } catch (err) {
    if (errorCode(err) === 'ENODEV') return false;
    throw sysError(`looking up device "${name}"`, err);
  }
}
