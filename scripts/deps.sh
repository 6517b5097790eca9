#!/usr/bin/env bash
# Installs the Debian packages Runnel needs, only those that are missing, so
# running it twice does nothing the second time. Sourced by run.sh and test.sh.
set -euo pipefail

RUNNEL_BUILD_PACKAGES=(
  g++ cmake ninja-build ccache pkg-config
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev libabsl-dev
  nlohmann-json3-dev libboost-dev libboost-system-dev
  libyaml-cpp-dev libinih-dev libssl-dev
  libflatbuffers-dev flatbuffers-compiler libhiredis-dev
)
RUNNEL_TEST_PACKAGES=(
  libgtest-dev libgmock-dev clang redis-server redis-sentinel redis-tools
  chromium chromium-driver
  golang-go golang-github-centrifugal-centrifuge-dev
  golang-github-centrifugal-protocol-dev golang-github-fzambia-eagle-dev
  golang-github-igm-sockjs-go-dev golang-github-mna-redisc-dev
  golang-github-json-iterator-go-dev golang-github-influxdata-influxdb1-client-dev
)

runnel_missing_packages() {
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      echo "$p"
    fi
  done
}

# Usage: runnel_ensure_packages pkg...
runnel_ensure_packages() {
  local missing
  missing=$(runnel_missing_packages "$@")
  if ! command -v node >/dev/null 2>&1; then missing="$missing nodejs"; fi
  if ! command -v npm >/dev/null 2>&1; then missing="$missing npm"; fi
  missing=$(echo $missing)
  [ -z "$missing" ] && return 0
  echo "Installing Debian packages: $missing"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
}
