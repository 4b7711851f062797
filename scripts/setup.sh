#!/usr/bin/env bash
# Makes sure the system packages the tests need are here, the way `playwright install --with-deps` does:
# Debian's Chromium for the renderer tests, Ceph (mon, osd, radosgw) for the verifying S3, tinyproxy as a
# real CONNECT proxy, redis-server for the limits shared by signer replicas.
# Installs what is missing when it can (root with apt-get); otherwise prints the exact command and fails.
set -euo pipefail

packages=()
need() { command -v "$1" >/dev/null 2>&1 || packages+=("$2"); }

need chromium chromium
[ -f /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || packages+=(fonts-liberation)
need tinyproxy tinyproxy
need redis-server redis-server
need tmux tmux
if [ -z "${HOIST_TEST_S3_ENDPOINT:-}" ]; then
  need ceph-mon ceph-mon
  need ceph-osd ceph-osd
  need radosgw radosgw
  need ceph ceph-common
  need monmaptool ceph-common
fi

[ ${#packages[@]} -eq 0 ] && exit 0
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
command_line="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages[*]}"

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing ${packages[*]}"
  bash -c "$command_line" >/tmp/hoist-setup-apt.log 2>&1 || {
    tail -n 20 /tmp/hoist-setup-apt.log
    echo "setup: the install failed; run it yourself: $command_line" >&2
    exit 1
  }
  exit 0
fi

echo "setup: missing system packages: ${packages[*]}" >&2
echo "setup: run as root: $command_line" >&2
exit 1
