#!/usr/bin/env bash
# Installs the Debian packages eventdrill needs to build, test and benchmark,
# and only those that are missing. Safe to run again.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git clang-format
  libuv1-dev libjansson-dev libcmocka-dev libcurl4-openssl-dev
  libhttp-parser-dev libssl-dev openssl libncurses-dev libpcre2-dev
  # plots
  gnuplot-nox
  # drivers
  libfreeipmi-dev libssh-dev
  # tests and peers
  clang libclang-rt-14-dev valgrind python3 python3-yaml curl iproute2 tmux
  redfishtool python3-sushy python3-sushy-cli
  openipmi libopenipmi-dev ipmitool freeipmi-tools
  openssh-server openssh-client dropbear-bin
  libxml2-utils man-db groff-base
  prometheus prometheus-alertmanager
  slurm-wlm munge
  # benchmarks
  wrk nginx-light util-linux time
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
