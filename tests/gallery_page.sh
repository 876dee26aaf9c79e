#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The gallery as a reader sees it (issue 10): build it, open index.html in headless chromium,
# take a screenshot, and check that every image decoded and no check row failed.
# Usage: gallery_page.sh GANDYN WORKDIR
set -u
gandyn=$1 work=$2
rm -rf "$work" && mkdir -p "$work/bin" || exit 2
# the command line `gandyn gallery --help` prints as its example, run in $work (tests/cli.sh runs
# every other command's example); its -o names the page's directory
example=$("$gandyn" gallery --help | sed -n '/^example:$/{n;s/^  //;p;}')
site=$(echo "$example" | sed -n 's/^gandyn gallery -o \([^ ]*\)$/\1/p')
[ -n "$site" ] || { echo "gallery --help: example '$example' is not 'gandyn gallery -o DIR'" >&2; exit 1; }
ln -s "$(realpath "$gandyn")" "$work/bin/gandyn"
(cd "$work" && PATH="$work/bin:$PATH" sh -c "$example") > "$work/gallery.log" 2>&1 || { tail -20 "$work/gallery.log"; echo "gallery failed" >&2; exit 1; }
work=$work/$site
browser=(chromium --headless --no-sandbox --disable-gpu --allow-file-access-from-files --virtual-time-budget=10000)
"${browser[@]}" --dump-dom "file://$work/index.html" > "$work/dom.html" 2> /dev/null
"${browser[@]}" --window-size=1280,4000 --screenshot="$work/screenshot.png" "file://$work/index.html" > /dev/null 2>&1
images=$(grep -o 'data-images="[0-9]*/[0-9]*"' "$work/dom.html" | grep -o '[0-9]*/[0-9]*')
failed=$(grep -o 'data-failed="[0-9]*"' "$work/dom.html" | grep -o '[0-9]*')
rows=$(grep -c "<tr class=\"pass\">" "$work/dom.html")
echo "gallery page: images decoded $images, check rows passing $rows, failing $failed"
[ -n "$images" ] && [ "${images%/*}" = "${images#*/}" ] && [ "${images#*/}" -gt 0 ] && [ "$failed" = 0 ] && [ "$rows" -gt 0 ] \
    && [ -s "$work/screenshot.png" ] || { echo "gallery page: FAIL" >&2; exit 1; }
