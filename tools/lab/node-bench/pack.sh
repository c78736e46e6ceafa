#!/bin/sh
# Prepares .gpu/ for the lent GPU machine, here (it has no network, no npm, no browser): the bundled benchmark,
# the `webgpu` package's JS, Dawn's addon and Node itself gzip-compressed (gzip is on every machine), and the
# Vulkan loader's .deb. About 45 MB; with the working tree it stays under the 64 MiB a device call carries.
# Usage: npm run node-bench:pack   then the one device call in tools/lab/node-bench/README.md.
set -eu
cd "$(dirname "$0")/../.."
npx tsx tools/lab/node-bench/build.ts .gpu
addon=.gpu/node_modules/webgpu/dist/linux-x64/dawn.node
[ -f "$addon" ] || { echo "pack.sh: $addon missing (the device is linux-x64; pack on linux-x64)" >&2; exit 1; }
gzip -6 -c "$addon" > .gpu/dawn.node.gz
rm -r .gpu/node_modules/webgpu/dist # only the compressed addon travels
gzip -6 -c "$(readlink -f "$(command -v node)")" > .gpu/node.gz
rm -f .gpu/libvulkan1_*.deb
(cd .gpu && apt-get download libvulkan1:amd64 >/dev/null)
grep -qx '.gpu/' .git/info/exclude 2>/dev/null || echo '.gpu/' >> .git/info/exclude
ls -la .gpu
du -sh .gpu
