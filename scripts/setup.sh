# Shared set-up for scripts/run, scripts/test and scripts/debug (sourced, not run).
# Installs what is missing with apt, configures build/ with the cross file and builds;
# ensure_board_dtbs fetches the raspi3b device tree once.
# Idempotent: with everything present and nothing changed it only runs a no-op ninja.

MICA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MICA_BUILD_DIR=${MICA_BUILD_DIR:-$MICA_ROOT/build}
CROSS_FILE=$MICA_ROOT/scripts/cross/aarch64-none-elf.ini

# command-or-probe -> Debian package
REQUIRED_PACKAGES=(
	"clang:clang" "ld.lld:lld" "llvm-ar:llvm" "meson:meson" "ninja:ninja-build"
	"qemu-system-aarch64:qemu-system-arm" "clang-format:clang-format" "fdtput:device-tree-compiler"
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

# The device tree of QEMU's raspi3b machine (it makes none itself: scripts/qemu passes it with
# -dtb). It comes from Debian's arm64 Linux kernel package (linux-image-arm64 names the
# current one), which ships /usr/lib/linux-image-*/broadcom/bcm2837-rpi-3-b.dtb. The package
# is downloaded, not installed: apt runs with a private arm64 package list under the build
# directory (the machine's own apt configuration and dpkg state are untouched), and dpkg-deb
# unpacks only the one file into $MICA_BUILD_DIR/dtb/. Done once per build directory.
RASPI3B_DTB=bcm2837-rpi-3-b.dtb
ensure_board_dtbs() {
	local out=$MICA_BUILD_DIR/dtb/$RASPI3B_DTB
	[ -s "$out" ] && return 0
	local apt=$MICA_BUILD_DIR/apt-arm64 pkg deb
	local opts=(-o APT::Architecture=arm64 -o "APT::Architectures::=arm64"
		-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
		-o Dir::State::status=/dev/null)
	[ "$(id -u)" -ne 0 ] || opts+=(-o APT::Sandbox::User=root)
	echo "setup: fetching $RASPI3B_DTB from Debian's arm64 kernel package (apt-get download)..." >&2
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$MICA_BUILD_DIR/dtb"
	apt-get "${opts[@]}" update >/dev/null ||
		{ echo "setup: apt-get update (arm64 lists) failed" >&2; return 1; }
	pkg=$(apt-cache "${opts[@]}" depends linux-image-arm64 |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	[ -n "$pkg" ] || { echo "setup: linux-image-arm64 names no kernel package" >&2; return 1; }
	(cd "$apt" && apt-get "${opts[@]}" download "$pkg" >/dev/null) ||
		{ echo "setup: apt-get download $pkg failed" >&2; return 1; }
	deb=$(ls "$apt"/"${pkg}"_*.deb)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -O --wildcards "*/broadcom/$RASPI3B_DTB" >"$out.tmp" &&
		[ -s "$out.tmp" ] && mv "$out.tmp" "$out" ||
		{ rm -f "$out.tmp"; echo "setup: $pkg has no $RASPI3B_DTB" >&2; return 1; }
	rm -rf "$apt"
	echo "setup: $out (from $pkg)" >&2
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
