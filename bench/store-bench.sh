#!/usr/bin/env bash
# The merge store in a real build (issue 14): an app with the ~1 GB benchmark model (as merge-bench.sh) is built
# Debug, published Release and published for linux-x64, from a clean obj/ and bin/, with LoraMergeStore=false (each
# configuration merges and keeps its own copy, as before the store) and =true (the default), ROUNDS times each,
# alternating. Per mode: the three wall times, obj/ on disk (du counts a hard-linked file once) and the bytes of the
# merged model. Then, store on: the same three commands again after `touch` of the base (content unchanged).
#   bash bench/store-bench.sh        # ROUNDS=2
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
source bench/synthetic-model.sh
# The app lives outside the repository (whose Directory.*.props would apply to it), in a folder of its own.
repo=$PWD feed=$PWD/$art/store-feed app=${STORE_APP:-${TMPDIR:-/tmp}/loramerge-store-bench/app}
rm -rf "$feed" && mkdir -p "$feed"
dotnet pack src/LoraMerge.Runtime -c Release -o "$feed" --artifacts-path "$art/store-pack" -v quiet -nologo >/dev/null
dotnet pack src/LoraMerge.Tasks -c Release -o "$feed" --artifacts-path "$art/store-pack" -v quiet -nologo >/dev/null
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)

rm -rf "$app" && mkdir -p "$app"
cat > "$app/nuget.config" <<XML
<configuration><packageSources><clear /><add key="local" value="$feed" /></packageSources></configuration>
XML
cat > "$app/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings>
    <RestorePackagesPath>\$(MSBuildThisFileDirectory).packages</RestorePackagesPath>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="LoraMerge" Version="$version" />
    <LoraAdapter Include="$repo/$work/adapter" BaseModel="$repo/$work/base" Model="Bench" />
  </ItemGroup>
</Project>
XML
echo 'using var m = App.BenchModel.Load(); Console.WriteLine(m.Tensors.Count);' > "$app/Program.cs"
quiet() { local log; log=$(mktemp); if ! "$@" >"$log" 2>&1; then cat "$log" >&2; rm -f "$log"; return 1; fi; rm -f "$log"; }
quiet dotnet restore "$app" -nologo

now() { date +%s.%N; }
run() { # label, then the dotnet arguments; prints the seconds
  local t0 t1; t0=$(now); (cd "$app" && quiet dotnet "$@" -nodeReuse:false -nologo); t1=$(now)
  echo "$t1 - $t0" | bc -l
}
steps() { # store on/off: Debug build, Release publish, RID publish; prints "debug release rid"
  printf '%.2f %.2f %.2f' "$(run build -c Debug -p:LoraMergeStore=$1)" \
    "$(run publish -c Release -o out -p:LoraMergeStore=$1)" \
    "$(run publish -c Release -r linux-x64 --self-contained false -o out-rid -p:LoraMergeStore=$1)"
}
merged=$(du -sb "$work/base/model.safetensors" | cut -f1)
echo "| store | round | build Debug | publish Release | publish linux-x64 | total | obj/ on disk | merged model |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for round in $(seq "$ROUNDS"); do
  for store in false true; do
    rm -rf "$app/obj" "$app/bin" "$app/out" "$app/out-rid"
    quiet dotnet restore "$app" -nologo
    sync
    read -r d r x <<<"$(steps $store)"
    printf '| %s | %d | %s s | %s s | %s s | %.2f s | %.2f GB | %.2f GB |\n' "$store" "$round" "$d" "$r" "$x" \
      "$(echo "$d + $r + $x" | bc -l)" "$(echo "$(du -sb "$app/obj" | cut -f1) / 1000000000" | bc -l)" "$(echo "$merged / 1000000000" | bc -l)"
  done
done
touch "$work/base/model.safetensors"
read -r d r x <<<"$(steps true)"
printf '| true, base touched | - | %s s | %s s | %s s | %.2f s | %.2f GB | %.2f GB |\n' "$d" "$r" "$x" \
  "$(echo "$d + $r + $x" | bc -l)" "$(echo "$(du -sb "$app/obj" | cut -f1) / 1000000000" | bc -l)" "$(echo "$merged / 1000000000" | bc -l)"
