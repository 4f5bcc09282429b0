# Shared set-up for scripts/run, scripts/test and scripts/debug (sourced, not run).
# Installs what is missing with apt, configures build/ with the cross file and builds.
# Idempotent: with everything present and nothing changed it only runs a no-op ninja.

MICA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MICA_BUILD_DIR=${MICA_BUILD_DIR:-$MICA_ROOT/build}
CROSS_FILE=$MICA_ROOT/scripts/cross/aarch64-none-elf.ini

# command-or-probe -> Debian package
REQUIRED_PACKAGES=(
	"clang:clang" "ld.lld:lld" "llvm-ar:llvm" "meson:meson" "ninja:ninja-build"
	"qemu-system-aarch64:qemu-system-arm" "clang-format:clang-format"
	"py:pytest:python3-pytest" "py:pexpect:python3-pexpect"
)

# Prints the packages whose command (or, for "py:MOD", /usr/bin/python3 module) is missing.
missing_packages() {
	local entry probe pkg
	for entry in "$@"; do
		pkg=${entry##*:}
		probe=${entry%:*}
		if [[ $probe == py:* ]]; then
			/usr/bin/python3 -c "import ${probe#py:}" 2>/dev/null || echo "$pkg"
		else
			command -v "$probe" >/dev/null 2>&1 || echo "$pkg"
		fi
	done
}

# Installs the given packages with apt (as root, or through sudo).
apt_install() {
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "setup: installing $* (apt)" >&2
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get install -y --no-install-recommends "$@" >/dev/null ||
		{ $sudo apt-get update >/dev/null && $sudo apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

# Ensures the toolchain and test tools are present; extra "cmd:pkg" entries may be passed.
ensure_packages() {
	local missing
	missing=$(missing_packages "${REQUIRED_PACKAGES[@]}" "$@" | sort -u)
	[ -z "$missing" ] || apt_install $missing
}

# Configures build/ on first use, then builds everything, saying what it does when there is
# work (a first build takes a minute or so; a no-op build prints nothing).
configure_and_build() {
	local log
	if [ ! -f "$MICA_BUILD_DIR/build.ninja" ]; then
		echo "setup: first build: configuring $MICA_BUILD_DIR (meson setup)..." >&2
		log=$(meson setup "$MICA_BUILD_DIR" "$MICA_ROOT" --cross-file "$CROSS_FILE" 2>&1) ||
			{ echo "$log" >&2; echo "setup: meson setup failed" >&2; return 1; }
	fi
	if ! ninja -C "$MICA_BUILD_DIR" -n 2>/dev/null | grep -q "no work to do"; then
		echo "setup: building Mica (ninja -C $MICA_BUILD_DIR)..." >&2
	fi
	ninja -C "$MICA_BUILD_DIR" >/dev/null || ninja -C "$MICA_BUILD_DIR"
}
