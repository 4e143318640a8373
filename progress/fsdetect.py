"""Is a path on a network file system? SQLite's WAL needs shared memory that NFS/SMB cannot give."""

from __future__ import annotations

import os
from pathlib import Path

NETWORK_FS_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "9p",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "beegfs",
        "fuse.sshfs",
        "sshfs",
        "fuse.glusterfs",
        "fuse.cephfs",
        "fuse.s3fs",
        "fuse.rclone",
        "davfs",
        "fuse.davfs2",
        "orangefs",
        "pvfs2",
        "panfs",
        "fuse.juicefs",
        "fuse.gcsfuse",
        "fuse.lizardfs",
        "fuse.moosefs",
        "wekafs",
    }
)


def _unescape(field: str) -> str:
    """/proc/mounts writes spaces and tabs in mount points as octal escapes."""
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")


def filesystem_type(path: Path, mounts_text: str | None = None) -> str | None:
    """The type of the file system holding `path`, from /proc/mounts (None where unknown)."""
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = os.path.realpath(path)
    best, best_type = "", None
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = _unescape(fields[1])
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, fields[2]
    return best_type


def is_network_filesystem(path: Path, mounts_text: str | None = None) -> bool:
    """True for NFS, SMB/CIFS, sshfs, Lustre and the like."""
    kind = filesystem_type(path, mounts_text)
    return kind is not None and (kind in NETWORK_FS_TYPES or kind.startswith("nfs"))
