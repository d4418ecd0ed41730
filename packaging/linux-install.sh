#!/bin/sh
# Install Backroom for the current user: the app in ~/.local/share/backroom, a `backroom`
# command in ~/.local/bin, and a menu entry with its icon. Run it from the unpacked archive.
# Remove again with: ./install.sh --uninstall
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
app=$data/backroom
bin=$HOME/.local/bin

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$app" "$bin/backroom" "$data/applications/backroom.desktop" \
           "$data/icons/hicolor/256x256/apps/backroom.png"
    echo "Backroom removed (your data in $data/Backroom is kept)."
    exit 0
fi

rm -rf "$app"
mkdir -p "$app" "$bin" "$data/applications" "$data/icons/hicolor/256x256/apps"
cp -a "$here/Backroom/." "$app/"
ln -sf "$app/Backroom" "$bin/backroom"
sed "s|^Exec=backroom|Exec=$app/Backroom|" "$here/backroom.desktop" \
    > "$data/applications/backroom.desktop"
cp "$here/backroom.png" "$data/icons/hicolor/256x256/apps/backroom.png"
command -v update-desktop-database >/dev/null 2>&1 && \
    update-desktop-database "$data/applications" >/dev/null 2>&1 || true
echo "Backroom installed: find it in the menu, or run 'backroom' ($bin must be on PATH)."
