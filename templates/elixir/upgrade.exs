# Hot upgrade / downgrade of the LIVE node, evaluated inside it through
# `bin/APP rpc` (the rpc client cannot pass argv or env, so the arguments go
# through the process dictionary):
#
#   bin/APP rpc 'Process.put(:gatling_argv, ["upgrade", "0.1.0+2"]); Code.eval_file("/path/upgrade.exs")'
#
# Commands:
#   upgrade VSN [--no-permanent]    unpack releases/NAME-VSN.tar.gz (made by
#       make_upgrade.exs, copied there first) -> preflight (evaluate VSN's
#       runtime.exs with the node's environment) -> check_install_release ->
#       install_release (the switch) -> verify runtime config re-applied ->
#       make_permanent -> RELEASE_VSN / RELEASE_SYS_CONFIG := VSN
#   downgrade VSN [--no-permanent]  back to an older installed VSN with the
#       down script of the current release's relup (checked first with
#       release_handler_1:check_script/2: check_install_release checks
#       nothing for downgrades) -> install_release -> make_permanent
#   preflight VSN                   only evaluate VSN's runtime config
#   status                          which_releases
#   remove VSN                      release_handler:remove_release (old versions)
#
# Output: progress lines "[gatling] ...", then exactly one result line
#   GATLING_RESULT ok <what>            (rpc exits 0)
#   GATLING_RESULT error <message>      and raises, so `bin/APP rpc` exits 1
# If the node dies during install_release (release_handler restarts it into
# the permanent release when something after point_of_no_return fails), the
# rpc client exits non-zero as well.
defmodule Gatling.Upgrade do
  @moduledoc false
  def main(argv) do
    case argv do
      ["upgrade", vsn | opts] -> upgrade(vsn, opts)
      ["downgrade", vsn | opts] -> downgrade(vsn, opts)
      ["preflight", vsn] -> preflight!(vsn) && ok("preflight #{vsn}")
      ["status"] -> status() && ok("status")
      ["remove", vsn] -> remove(vsn)
      _ -> die("usage: upgrade|downgrade VSN [--no-permanent] | preflight VSN | status | remove VSN (got #{inspect(argv)})")
    end
  end

  defp upgrade(vsn, opts) do
    {name, current, rels} = releases()
    if vsn == current, do: die("#{vsn} is already the running release")
    say("upgrade #{name} #{current} -> #{vsn}")

    # a version the node already knows comes from a deploy that did not serve (its number is used
    # again): always unpack the new package
    case List.keyfind(rels, vsn, 1) do
      nil -> :ok
      {_, _, _, status} ->
        timed("remove_release #{vsn} (#{status}, from a deploy that did not serve)", fn -> :release_handler.remove_release(~c"#{vsn}") end)
        |> expect("remove_release", &(&1 == :ok))
    end

    tar = Path.join([root(), "releases", "#{name}-#{vsn}.tar.gz"])
    File.exists?(tar) || die("#{tar} not found: copy the package made by make_upgrade.exs there first")
    timed("unpack_release", fn -> :release_handler.unpack_release(~c"#{name}-#{vsn}") end)
    |> expect("unpack_release", &match?({:ok, _}, &1))

    expected = preflight!(vsn)

    timed("check_install_release", fn -> :release_handler.check_install_release(~c"#{vsn}") end)
    |> expect("check_install_release", &match?({:ok, _, _}, &1))

    switch(vsn, current, expected, opts)
  end

  defp downgrade(vsn, opts) do
    {name, current, rels} = releases()
    if vsn == current, do: die("#{vsn} is already the running release")
    say("downgrade #{name} #{current} -> #{vsn}")

    case List.keyfind(rels, vsn, 1) do
      {_, _, _, status} when status in [:old, :permanent] -> :ok
      {_, _, _, status} -> die("#{vsn} is #{status}, not an installed older release")
      nil -> die("#{vsn} is not installed (installed: #{Enum.map_join(rels, ", ", &elem(&1, 1))})")
    end

    relup = Path.join([root(), "releases", current, "relup"])

    script =
      case :file.consult(String.to_charlist(relup)) do
        {:ok, [{_, _ups, downs}]} ->
          case List.keyfind(downs, ~c"#{vsn}", 0) do
            {_, _descr, script} -> script
            nil -> die("#{relup} has no downgrade to #{vsn}: restart into #{vsn} instead")
          end

        other ->
          die("cannot read #{relup}: #{inspect(other)} (was #{current} installed by a hot upgrade?)")
      end

    expected = preflight!(vsn)

    timed("check_script (down)", fn -> :release_handler_1.check_script(script, lib_dirs(vsn)) end)
    |> expect("check_script", &match?({:ok, _}, &1))

    switch(vsn, current, expected, opts)
  end

  defp switch(vsn, from, expected, opts) do
    {r, ms} = with_runtime_sys_config(vsn, expected, fn -> timed_ms(fn -> :release_handler.install_release(~c"#{vsn}") end) end)
    Gatling.UpgradeHooks.forget(vsn)
    say("install_release -> #{inspect(r)} (#{ms} ms inside the node)")
    expect(r, "install_release", &match?({:ok, _, _}, &1))
    verify_config!(vsn, expected)

    if "--no-permanent" in opts do
      say("not making #{vsn} permanent: a reboot or `bin/APP restart` boots #{permanent()}")
    else
      timed("make_permanent", fn -> :release_handler.make_permanent(~c"#{vsn}") end)
      |> expect("make_permanent", &(&1 == :ok))

      # bin/APP exported these for the boot version; init:restart (bin/APP
      # restart) re-reads RELEASE_SYS_CONFIG, so point them at the new one.
      System.put_env("RELEASE_VSN", vsn)
      System.put_env("RELEASE_SYS_CONFIG", Path.join([root(), "releases", vsn, "sys"]))
      remove_unneeded(vsn, from)
    end

    refresh_static(vsn, from)

    ok("#{from} -> #{vsn} switch_ms=#{ms}")
  end

  # install_release replaces every application's env with releases/VSN/sys.config (build-time config)
  # before it runs the relup, and the relup's first instruction puts the runtime config back: a
  # request in between would see the app without its runtime.exs values. So for the length of
  # install_release, sys.config holds the full runtime config, and the original comes back right
  # after. It may hold secrets: its directory is closed to everyone but the app (0700) before it is
  # written (0600), and the build-time file waits beside it as sys.config.gatling-build, which the
  # unit puts back before any boot, should the node die in between. Terms that cannot round-trip
  # through a file are left out of this, and the relup hook alone re-applies them.
  defp with_runtime_sys_config(_vsn, [], fun), do: fun.()

  defp with_runtime_sys_config(vsn, expected, fun) do
    dir = Path.join([root(), "releases", vsn])
    file = Path.join(dir, "sys.config")
    build = file <> ".gatling-build"
    %File.Stat{mode: dir_mode} = File.stat!(dir)
    {:ok, [base]} = :file.consult(String.to_charlist(file))
    runtime = Config.Reader.merge(base, expected)
    text = :io_lib.format(~c"~tp.~n", [runtime]) |> IO.chardata_to_string()

    if match?({:ok, [^runtime]}, parse_terms(text)) do
      File.chmod!(dir, 0o700)
      File.rename!(file, build)
      write_atomically(file, text, 0o600)

      try do
        fun.()
      after
        File.rename!(build, file)
        File.chmod!(dir, dir_mode)
      end
    else
      say("runtime config of #{vsn} does not round-trip through sys.config: relying on the relup hook")
      fun.()
    end
  end

  defp parse_terms(text) do
    with {:ok, tokens, _} <- :erl_scan.string(String.to_charlist(text)),
         {:ok, term} <- :erl_parse.parse_term(tokens),
         do: {:ok, [term]}
  end

  defp write_atomically(file, text, mode) do
    tmp = file <> ".gatling"
    File.write!(tmp, "")
    File.chmod!(tmp, mode)
    File.write!(tmp, text)
    File.rename!(tmp, file)
  end

  # -- preflight: the runtime config VSN would get in this node's environment --
  def preflight!(vsn) do
    # the hooks module computes the config (the same code the relup runs); compiled afresh, since an
    # older version of it may be loaded from an earlier upgrade
    Code.compiler_options(ignore_module_conflict: true)
    Code.compile_file("hot_upgrade_hooks.ex", __DIR__)

    config =
      try do
        case Gatling.UpgradeHooks.runtime_config(vsn) do
          {:ok, nil} -> []
          {:ok, config} -> config
          {:error, message} -> die("preflight: " <> message)
        end
      rescue
        e -> die("preflight: runtime config of #{vsn} raises in this node's environment: " <> Exception.message(e))
      end

    if config != [], do: Gatling.UpgradeHooks.prepare(vsn, config)
    say("preflight #{vsn}: runtime config ok (#{config |> Keyword.keys() |> Enum.join(", ")})")
    config
  end

  defp verify_config!(vsn, expected) do
    wrong =
      for {app, kv} <- expected, {k, v} <- kv, k != :config_provider_init, Application.get_env(app, k) != v, do: "#{app}.#{k}"

    if wrong == [],
      do: say("runtime config of #{vsn} is in place"),
      else: die("after install_release the env differs from #{vsn}'s runtime config: #{Enum.join(wrong, ", ")} (see the node's log for [gatling] lines)")
  end

  # -- helpers ---------------------------------------------------------------
  defp releases do
    rels = for {n, v, apps, st} <- :release_handler.which_releases(), do: {List.to_string(n), List.to_string(v), apps, st}

    current =
      Enum.find_value(rels, fn {_, v, _, st} -> st == :current && v end) ||
        Enum.find_value(rels, fn {_, v, _, st} -> st == :permanent && v end) ||
        die("no current/permanent release in releases/RELEASES (run create_releases.exs before the first boot)")

    name = rels |> List.keyfind(current, 1) |> elem(0)
    {name, current, rels}
  end

  defp permanent, do: Enum.find_value(:release_handler.which_releases(), fn {_, v, _, st} -> st == :permanent && List.to_string(v) end)

  defp lib_dirs(vsn) do
    file = Path.join([root(), "releases", "RELEASES"])
    {:ok, [records]} = :file.consult(String.to_charlist(file))

    case Enum.find(records, &(elem(&1, 2) == ~c"#{vsn}")) do
      nil -> die("#{vsn} not found in #{file}")
      rec -> for {app, v, dir} <- elem(rec, 4), do: {app, v, Path.expand(List.to_string(dir), root()) |> String.to_charlist()}
    end
  end

  # A changed static manifest (priv/static/cache_manifest.json: the digested asset names) is no config
  # change, so release_handler calls no config_change/3 for it, and a Phoenix endpoint, which reads the
  # manifest at start and again only in config_change, would keep linking the old digests. For each app
  # whose manifest changed, its application module's config_change/3 gets its endpoints (the env keys
  # that name a :cache_static_manifest) as changed, as a config change would.
  defp refresh_static(vsn, from) do
    old = Map.new(lib_dirs(from), fn {app, _, dir} -> {app, dir} end)

    for {app, _, dir} <- lib_dirs(vsn), (manifest = read_manifest(dir)) != nil, manifest != read_manifest(old[app]) do
      endpoints = for {key, value} <- Application.get_all_env(app), Keyword.keyword?(value), Keyword.has_key?(value, :cache_static_manifest), do: {key, value}

      case Application.spec(app, :mod) do
        {mod, _} when endpoints != [] ->
          # the new release is in place and permanent whatever happens here: a raise is said, not fatal
          if function_exported?(mod, :config_change, 3) do
            timed("#{inspect(mod)}.config_change/3 (static manifest of #{app} changed)", fn ->
              try do
                mod.config_change(endpoints, [], [])
              rescue
                e -> {:raised, Exception.message(e)}
              end
            end)
          end

        _ ->
          :ok
      end
    end
  end

  defp read_manifest(nil), do: nil

  defp read_manifest(dir) do
    case File.read(Path.join([to_string(dir), "priv", "static", "cache_manifest.json"])) do
      {:ok, text} -> text
      _ -> nil
    end
  end

  # The node keeps only what it may still need: the version it runs and the one it came from (a hot
  # rollback is one step back). Older ones would fill the slot with a copy of every release it ever ran.
  defp remove_unneeded(vsn, from) do
    for {_, v, _, :old} <- :release_handler.which_releases(), List.to_string(v) not in [vsn, from] do
      timed("remove_release #{v}", fn -> :release_handler.remove_release(v) end)
    end
  end

  defp status do
    for {n, v, _apps, st} <- :release_handler.which_releases(), do: say("#{n} #{v} #{st}")
    true
  end

  defp remove(vsn) do
    timed("remove_release", fn -> :release_handler.remove_release(~c"#{vsn}") end) |> expect("remove_release", &(&1 == :ok))
    ok("removed #{vsn}")
  end

  defp expect(result, what, good?) do
    if good?.(result), do: result, else: die("#{what} failed: #{inspect(result)}")
  end

  defp timed(label, fun) do
    {r, ms} = timed_ms(fun)
    say("#{label} -> #{inspect(r, limit: 8)} (#{ms} ms)")
    r
  end

  defp timed_ms(fun) do
    {us, r} = :timer.tc(fun)
    {r, div(us, 1000)}
  end

  defp root, do: List.to_string(:code.root_dir())
  defp say(msg), do: IO.puts("[gatling] " <> msg)
  defp ok(msg), do: IO.puts("GATLING_RESULT ok " <> msg)

  defp die(msg) do
    IO.puts("GATLING_RESULT error " <> msg)
    raise "gatling: " <> msg
  end
end

try do
  Gatling.Upgrade.main(Process.get(:gatling_argv) || System.argv())
after
  # leave nothing behind in the live node (and no "redefining module" next time)
  :code.purge(Gatling.Upgrade)
  :code.delete(Gatling.Upgrade)
end
