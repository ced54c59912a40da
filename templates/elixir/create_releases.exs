# Register the release this `bin/APP` belongs to in releases/RELEASES, as the
# permanent release. Run it with the node STOPPED, before booting a version
# for the first time (first deploy, and every deploy that takes the restart
# path), so release_handler knows the running release and can later upgrade
# from it and roll back to it:
#
#   bin/APP eval 'Code.eval_file("/path/to/create_releases.exs")'
#
# Uses RELEASE_ROOT, RELEASE_NAME and RELEASE_VSN, which bin/APP exports.
# Idempotent. Versions already in RELEASES are kept (status "old").
# Prints "GATLING_RELEASES ok <vsn>" as its last line; raises on errors.
root = System.fetch_env!("RELEASE_ROOT")
name = System.fetch_env!("RELEASE_NAME")
vsn = System.fetch_env!("RELEASE_VSN")
rel_dir = Path.join(root, "releases")
rel_file = Path.join([rel_dir, vsn, "#{name}.rel"])
releases_file = Path.join(rel_dir, "RELEASES")
File.exists?(rel_file) || raise "#{rel_file} not found"

# Let OTP build the record for this release (relative lib dirs: root "" keeps
# the installation relocatable), in a scratch dir.
tmp = Path.join(System.tmp_dir!(), "gatling-releases-#{System.unique_integer([:positive])}")
File.mkdir_p!(tmp)

[new] =
  try do
    :ok = :release_handler.create_RELEASES(~c"", String.to_charlist(tmp), String.to_charlist(rel_file), [])
    {:ok, [records]} = :file.consult(String.to_charlist(Path.join(tmp, "RELEASES")))
    records
  after
    File.rm_rf!(tmp)
  end

existing =
  case :file.consult(String.to_charlist(releases_file)) do
    {:ok, [records]} -> records
    {:error, :enoent} -> []
    other -> raise "cannot read #{releases_file}: #{inspect(other)}"
  end

vsn_cl = String.to_charlist(vsn)
# {:release, Name, Vsn, ErtsVsn, Libs, Status}
others =
  for r <- existing, elem(r, 2) != vsn_cl do
    if elem(r, 5) in [:permanent, :current], do: put_elem(r, 5, :old), else: r
  end

records = [put_elem(new, 5, :permanent) | others]
File.write!(releases_file <> ".tmp", :io_lib.format(~c"~p.~n", [records]))
File.rename!(releases_file <> ".tmp", releases_file)

IO.puts("releases/RELEASES: " <> Enum.map_join(records, ", ", &"#{elem(&1, 2)} (#{elem(&1, 5)})"))
IO.puts("GATLING_RELEASES ok #{vsn}")
