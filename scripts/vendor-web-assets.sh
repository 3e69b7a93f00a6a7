#!/usr/bin/env bash
# Re-creates frontwatch/web/static/vendor/ from npm: Leaflet, the world-atlas borders (as GeoJSON,
# cut to the region the map shows) and Swagger UI, so the report and the web app never need a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=frontwatch/web/static/vendor
LEAFLET=leaflet@1.9.4
WORLD_ATLAS=world-atlas@2.0.2
TOPOJSON=topojson-client@3.1.0
SWAGGER=swagger-ui-dist@5.17.14
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts --silent \
  "$LEAFLET" "$WORLD_ATLAS" "$TOPOJSON" "$SWAGGER")
nm="$work/node_modules"

rm -rf "$dest" && mkdir -p "$dest/leaflet/images" "$dest/borders" "$dest/swagger-ui"
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$dest/leaflet/"
cp "$nm/leaflet/dist/images/"*.png "$dest/leaflet/images/"
cp "$nm/leaflet/LICENSE" "$dest/leaflet/LICENSE"

# Borders: the 1:50m countries as GeoJSON, only countries whose bounding box meets the region
# (Ukraine and its neighbours), coordinates rounded to ~100 m: small enough to inline in a report.
cat > "$work/to-geojson.js" <<'JS'
const fs = require("fs");
const topojson = require("topojson-client");
const [src, out, bbox] = process.argv.slice(2);
const [w, s, e, n] = bbox.split(",").map(Number);
const topo = JSON.parse(fs.readFileSync(src, "utf8"));
const all = topojson.feature(topo, topo.objects.countries);
const round = (c) => (typeof c[0] === "number" ? [Math.round(c[0] * 1e3) / 1e3, Math.round(c[1] * 1e3) / 1e3] : c.map(round));
function bounds(c, b) {
  if (typeof c[0] === "number") { b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]); return b; }
  c.forEach((x) => bounds(x, b)); return b;
}
const keep = all.features.filter((f) => {
  if (!f.geometry) return false;
  const b = bounds(f.geometry.coordinates, [Infinity, Infinity, -Infinity, -Infinity]);
  return b[0] <= e && b[2] >= w && b[1] <= n && b[3] >= s;
}).map((f) => ({ type: "Feature", properties: { name: f.properties.name, id: f.id },
                 geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) } }));
fs.writeFileSync(out, JSON.stringify({ type: "FeatureCollection", features: keep }));
console.log(`${keep.length} countries -> ${out}`);
JS
NODE_PATH="$nm" node "$work/to-geojson.js" "$nm/world-atlas/countries-50m.json" \
  "$dest/borders/countries-50m-region.geojson" "20,40,50,57"
cp "$nm/world-atlas/LICENSE" "$dest/borders/LICENSE"
cat > "$dest/borders/NOTICE" <<'TXT'
countries-50m-region.geojson: derived from the npm package world-atlas 2.0.2 (ISC licence, see LICENSE),
which is built from Natural Earth 1:50m Admin 0 countries (public domain, naturalearthdata.com).
Converted from TopoJSON with topojson-client 3.1.0 (ISC) and cut to countries meeting lon 20..50, lat 40..57
by scripts/vendor-web-assets.sh.
TXT

cp "$nm/swagger-ui-dist/swagger-ui-bundle.js" "$nm/swagger-ui-dist/swagger-ui.css" "$dest/swagger-ui/"
cp "$nm/swagger-ui-dist/LICENSE" "$dest/swagger-ui/LICENSE"
[ -f "$nm/swagger-ui-dist/NOTICE" ] && cp "$nm/swagger-ui-dist/NOTICE" "$dest/swagger-ui/NOTICE"

cat > "$dest/VERSIONS" <<TXT
$LEAFLET (BSD-2-Clause)
$WORLD_ATLAS (ISC; Natural Earth data, public domain)
$TOPOJSON (ISC; used only at vendoring time)
$SWAGGER (Apache-2.0)
TXT
du -sh "$dest"/*
