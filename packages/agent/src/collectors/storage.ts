// Storage: the mounted real filesystems of /proc/mounts (pseudo and in-memory ones skipped, one
// entry per device), sized with statfs, typed Fixed Disk / Removable / Network Drive.
import type { SystemSource } from './system-source.js';

export interface Mount {
  device: string;
  mountPoint: string;
  fsType: string;
}

export interface StorageItem {
  drive: string;
  disk_type: string;
  filesystem: string;
  usage: number;
  total: number;
  free: number;
  used: number;
}

const PSEUDO = new Set([
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'tmpfs',
  'ramfs',
  'securityfs',
  'cgroup',
  'cgroup2',
  'pstore',
  'bpf',
  'debugfs',
  'tracefs',
  'configfs',
  'fusectl',
  'mqueue',
  'hugetlbfs',
  'autofs',
  'binfmt_misc',
  'nsfs',
  'rpc_pipefs',
  'efivarfs',
  'selinuxfs',
  'squashfs',
  'nfsd',
  'overlay',
  'aufs',
  'fuse.gvfsd-fuse',
  'fuse.portal',
  'fuse.lxcfs',
  'devfs',
  'iso9660',
  'zram',
  'virtiofs',
]);
const NETWORK = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  '9p',
  'fuse.sshfs',
  'glusterfs',
  'ceph',
]);

/** /proc/mounts fields with the octal escapes (\040 for a space) decoded. */
export function parseMounts(text: string): Mount[] {
  const unescape = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const [device, mountPoint, fsType] = line.trim().split(/\s+/);
    if (!device || !mountPoint || !fsType) continue;
    out.push({ device: unescape(device), mountPoint: unescape(mountPoint), fsType });
  }
  return out;
}

/** Real filesystems only, first mount of each device (bind mounts repeat it). */
export function realMounts(mounts: Mount[]): Mount[] {
  const seen = new Set<string>();
  return mounts.filter((m) => {
    // A container's overlay root is where its data lives; every other overlay is a layer.
    const containerRoot = m.fsType === 'overlay' && m.mountPoint === '/';
    if (PSEUDO.has(m.fsType) && !containerRoot) return false;
    const real =
      containerRoot ||
      m.device.startsWith('/') ||
      NETWORK.has(m.fsType) ||
      m.fsType === 'zfs' ||
      m.fsType === 'btrfs';
    if (!real || seen.has(m.device)) return false;
    seen.add(m.device);
    return true;
  });
}

function diskType(source: SystemSource, m: Mount): string {
  if (NETWORK.has(m.fsType)) return 'Network Drive';
  const dev = /^\/dev\/([a-z]+?)(?:p?\d+)?$/.exec(m.device)?.[1];
  const removable = dev ? source.readFile(`/sys/block/${dev}/removable`)?.trim() : undefined;
  return removable === '1' ? 'Removable' : 'Fixed Disk';
}

export function collectStorage(source: SystemSource): StorageItem[] {
  const mounts = realMounts(parseMounts(source.readFile('/proc/mounts') ?? ''));
  const out: StorageItem[] = [];
  for (const m of mounts) {
    const st = source.statfs(m.mountPoint);
    if (!st || st.total <= 0) continue;
    const used = Math.max(0, st.total - st.free);
    out.push({
      drive: m.mountPoint.slice(0, 512),
      disk_type: diskType(source, m),
      filesystem: m.fsType.slice(0, 64),
      usage: Math.round((used / st.total) * 1000) / 10,
      total: st.total,
      free: st.free,
      used,
    });
  }
  return out;
}
