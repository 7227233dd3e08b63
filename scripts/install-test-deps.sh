#!/usr/bin/env bash
# Installs the system packages fedgate's test suite and benchmarks use, on Debian, as root:
# the AWS CLI v2 and boto3 (real AWS clients), bubblewrap (containers), busybox-static (a tiny
# image to run), docker-registry (an OCI registry on loopback), tmux (a real terminal for
# ECS Exec sessions) and openssl (to check certificates). Safe to run again.
set -euo pipefail

packages=(awscli python3-boto3 bubblewrap busybox-static docker-registry tmux openssl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "test dependencies present: ${packages[*]}"
