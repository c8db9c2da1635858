# Shared set-up for ./loupe, ./run-tests and ./mvnw: find a JDK >= 25, make sure
# Maven and Go are there. Sourced, never run. Every function is idempotent and
# silent when there is nothing to do; failures print one line saying what to do.

LOUPE_ROOT=${LOUPE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
LOUPE_MAVEN_VERSION=3.9.11
LOUPE_JDK_MIN=25

loupe_die() { echo "loupe: $*" >&2; exit 1; }

# The major version of the JDK at $1, or nothing if it is not a JDK.
loupe_jdk_major() {
  [ -x "$1/bin/javac" ] && [ -x "$1/bin/java" ] || return 0
  local v
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
  echo "$v"
}

# Sets JAVA_HOME to a JDK >= 25: $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
loupe_find_jdk() {
  local cand best="" best_v=0 v
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(loupe_jdk_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$LOUPE_JDK_MIN" ]; then export JAVA_HOME; return 0; fi
  fi
  for cand in /usr/lib/jvm/*; do
    v=$(loupe_jdk_major "$cand")
    if [ -n "$v" ] && [ "$v" -ge "$LOUPE_JDK_MIN" ] && [ "$v" -gt "$best_v" ]; then best=$cand; best_v=$v; fi
  done
  [ -n "$best" ] || loupe_die "no JDK $LOUPE_JDK_MIN or newer found (JAVA_HOME=${JAVA_HOME:-unset}, nothing under /usr/lib/jvm); install one (e.g. Temurin 25) or point JAVA_HOME at it"
  export JAVA_HOME=$best
}

# Sets LOUPE_MVN to Maven $LOUPE_MAVEN_VERSION, unpacked under ~/.m2/wrapper. The
# distribution is fetched as an ordinary Maven Central artifact by any Maven
# already on the machine (Debian's is enough; installed with apt-get if absent).
loupe_ensure_maven() {
  local home="$HOME/.m2/wrapper/dists/apache-maven-$LOUPE_MAVEN_VERSION"
  LOUPE_MVN="$home/bin/mvn"
  [ -x "$LOUPE_MVN" ] && return 0
  loupe_find_jdk
  if ! command -v mvn >/dev/null 2>&1; then
    loupe_apt_install maven
  fi
  local zip="$HOME/.m2/repository/org/apache/maven/apache-maven/$LOUPE_MAVEN_VERSION/apache-maven-$LOUPE_MAVEN_VERSION-bin.zip"
  if [ ! -f "$zip" ]; then
    echo "loupe: fetching Maven $LOUPE_MAVEN_VERSION" >&2
    (cd /tmp && mvn -q -B dependency:get -Dtransitive=false \
      -Dartifact="org.apache.maven:apache-maven:$LOUPE_MAVEN_VERSION:zip:bin") >&2 \
      || loupe_die "could not fetch Maven $LOUPE_MAVEN_VERSION from Maven Central; check the network and ~/.m2/settings.xml"
  fi
  local tmp
  tmp=$(mktemp -d "$HOME/.m2/wrapper/unpack.XXXXXX" 2>/dev/null || { mkdir -p "$HOME/.m2/wrapper" && mktemp -d "$HOME/.m2/wrapper/unpack.XXXXXX"; })
  (cd "$tmp" && "$JAVA_HOME/bin/jar" xf "$zip") || loupe_die "could not unpack $zip"
  mkdir -p "$(dirname "$home")"
  rm -rf "$home"
  mv "$tmp/apache-maven-$LOUPE_MAVEN_VERSION" "$home" && rmdir "$tmp"
  chmod +x "$home/bin/mvn"
}

# apt-get install, with one 'apt-get update' per machine first; silent when all are there.
loupe_apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || loupe_die "missing packages ${missing[*]} and no apt-get here; install them by hand"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "loupe: installing ${missing[*]}" >&2
  if [ ! -f /var/lib/apt/periodic/loupe-updated ]; then
    $sudo apt-get update -qq >&2 || loupe_die "apt-get update failed"
    $sudo mkdir -p /var/lib/apt/periodic && $sudo touch /var/lib/apt/periodic/loupe-updated
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2 \
    || loupe_die "apt-get install ${missing[*]} failed"
}

# Makes sure a Go toolchain is on PATH (targets are built by the tests).
loupe_ensure_go() {
  command -v go >/dev/null 2>&1 && return 0
  [ -x /usr/local/go/bin/go ] && { export PATH="/usr/local/go/bin:$PATH"; return 0; }
  loupe_apt_install golang-go
}
