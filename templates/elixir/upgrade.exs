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

    # the node for the dry run of code_change/3 boots while the preflight and the check run
    targets = code_change_targets(vsn, current)
    booting = if targets != [], do: Task.async(fn -> start_dry_run_node(vsn) end)

    try do
      expected = preflight!(vsn)

      timed("check_install_release", fn -> :release_handler.check_install_release(~c"#{vsn}") end)
      |> expect("check_install_release", &match?({:ok, _, _}, &1))

      if booting do
        {node, wait_ms} = timed_ms(fn -> dry_run_node(booting) end)
        dry_run_code_change!(vsn, targets, node, wait_ms, expected)
      end

      switch(vsn, current, expected, opts)
    after
      if booting, do: stop_dry_run_node(dry_run_node(booting))
    end
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
    back_to = permanent()
    {r, ms} = with_runtime_sys_config(vsn, expected, fn -> timed_ms(fn -> :release_handler.install_release(~c"#{vsn}") end) end)
    Gatling.UpgradeHooks.forget(vsn)
    say("install_release -> #{inspect(r, limit: 8)} (#{ms} ms inside the node)")

    case r do
      {:ok, _, _} -> :ok
      {:error, reason} -> die(install_failure(reason, back_to))
      other -> die("install_release failed: #{inspect(other, limit: 8)}")
    end

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

  # -- dry run of code_change/3, before the point of no return ---------------
  # After point_of_no_return a code_change/3 that fails makes release_handler restart the node in
  # place (requests fail until it is back). So first, each process the relup will send code_change
  # (its {code_change, up, [{Mod, Extra}]} instructions, for the supervised processes that list Mod,
  # as release_handler finds them) has a copy of its state (sys:get_state) run through the NEW Mod's
  # code_change in a separate, short-lived VM: a :peer over a pipe (no distribution, no cookie, no
  # port), booted from the unpacked release (start_clean, sys.config, the runtime config the node
  # will get). Nothing reaches the live node. A process the dry run cannot stand for is skipped and
  # said: no state within 5 s, a state over 16 MB, or a failure on a state holding pids, ports,
  # references or funs (they mean nothing outside the live node, so the failure may not be real).
  @dry_run_max_state_bytes 16 * 1024 * 1024
  @dry_run_timeout_ms 10_000

  defp code_change_targets(vsn, from) do
    relup = Path.join([root(), "releases", vsn, "relup"])

    script =
      case :file.consult(String.to_charlist(relup)) do
        {:ok, [{_, ups, _downs}]} -> with {_, _, script} <- List.keyfind(ups, ~c"#{from}", 0), do: script
        _ -> nil
      end

    mods = for {:code_change, :up, list} <- script || [], {mod, extra} <- list, do: {mod, extra}
    procs = if mods == [], do: [], else: :release_handler_1.get_supervised_procs()
    targets = for {mod, extra} <- mods, {_sup, _name, pid, ms} <- procs, mod in ms, do: {mod, extra, pid}
    if script == nil, do: say("dry run of code_change/3: #{relup} has no upgrade from #{from}")
    if mods != [], do: say("dry run of code_change/3: #{length(targets)} process(es) of #{mods |> Enum.map_join(", ", &inspect(elem(&1, 0)))}")
    targets
  end

  defp start_dry_run_node(vsn) do
    erl = Path.join([root(), "erts-#{:erlang.system_info(:version)}", "bin", "erl"])
    rel = Path.join([root(), "releases", vsn])

    cond do
      not Code.ensure_loaded?(:peer) -> {:error, "this OTP has no :peer (OTP 25 and later have)"}
      not File.exists?(erl) -> {:error, "#{erl} not found"}
      true ->
        args = ["-boot", Path.join(rel, "start_clean"), "-boot_var", "RELEASE_LIB", Path.join(root(), "lib"), "-config", Path.join(rel, "sys"), "+S", "1:1"]
        # no crash dump of the dry run over the node's own (ERL_CRASH_DUMP is the node's)
        opts = %{connection: :standard_io, exec: String.to_charlist(erl), args: Enum.map(args, &String.to_charlist/1), env: [{~c"ERL_CRASH_DUMP_SECONDS", ~c"0"}], wait_boot: 30_000}

        case :timer.tc(fn -> :peer.start(opts) end) do
          {us, {:ok, peer, _}} -> {:ok, peer, div(us, 1000)}
          {_, other} -> {:error, inspect(other)}
        end
    end
  catch
    kind, reason -> {:error, Exception.format_banner(kind, reason)}
  end

  # the node the task booted, awaited once
  defp dry_run_node(task) do
    Process.get({:dry_run_node, task.ref}) ||
      (Task.await(task, 60_000) |> tap(&Process.put({:dry_run_node, task.ref}, &1)))
  end

  defp stop_dry_run_node({:ok, peer, _}) do
    :peer.stop(peer)
  catch
    _, _ -> :ok
  end

  defp stop_dry_run_node(_), do: :ok

  defp dry_run_code_change!(vsn, targets, {:ok, peer, boot_ms} = node, wait_ms, expected) do
    {us, failures} =
      :timer.tc(fn ->
        lib_apps = for {app, _, _} <- lib_dirs(vsn), do: app
        for app <- lib_apps, do: :peer.call(peer, :application, :load, [app])
        if expected != [], do: :peer.call(peer, :application, :set_env, [expected, [persistent: true]])

        for {mod, extra, pid} <- targets, reduce: [] do
          failures ->
            case dry_run_one(peer, mod, extra, pid) do
              :ok -> say("dry run: #{inspect(mod)} code_change on a copy of the state of #{inspect(pid)} -> ok"); failures
              {:skipped, why} -> say("dry run: #{inspect(mod)} (#{inspect(pid)}) not tried: #{why}"); failures
              {:failed, why} -> say("dry run: #{why}"); [why | failures]
            end
        end
      end)

    stop_dry_run_node(node)
    say("dry run of code_change/3: #{wait_ms + div(us, 1000)} ms added (its node booted in #{boot_ms} ms, beside the preflight and the check; waited #{wait_ms} ms for it, ran #{div(us, 1000)} ms)")

    if failures != [] do
      Gatling.UpgradeHooks.forget(vsn)
      die(Enum.join(Enum.reverse(failures), "; ") <> " (tried on a copy of the state, before install_release: the node is untouched)")
    end
  end

  defp dry_run_code_change!(_vsn, _targets, {:error, why}, _wait_ms, _expected),
    do: say("dry run of code_change/3 skipped: no node for it (#{why})")

  defp dry_run_one(peer, mod, extra, pid) do
    with {:ok, kind} <- process_kind(mod),
         {:ok, state} <- copy_state(pid),
         {:module, ^mod} <- :peer.call(peer, :code, :ensure_loaded, [mod]) do
      vsn = :release_handler_1.get_current_vsn(mod)

      case :peer.call(peer, :erl_eval, :expr, [code_change_expr(kind), bindings(M: mod, V: vsn, S: state, E: extra), :none, :none, :value], @dry_run_timeout_ms) do
        :ok -> :ok
        failure -> failed(mod, kind, failure, state)
      end
    else
      {:skipped, why} -> {:skipped, why}
      {:error, why} -> {:skipped, "the new #{inspect(mod)} does not load in the dry-run node: #{inspect(why)}"}
    end
  catch
    :exit, {:timeout, _} -> {:failed, "code_change of #{inspect(mod)} did not return within #{@dry_run_timeout_ms} ms"}
    kind, reason -> {:skipped, "the dry-run node failed: #{Exception.format_banner(kind, reason)}"}
  end

  defp process_kind(mod) do
    behaviours = for {key, list} <- mod.module_info(:attributes), key in [:behaviour, :behavior], b <- list, do: b

    cond do
      Enum.any?(behaviours, &(&1 in [GenServer, :gen_server])) -> {:ok, :gen_server}
      :gen_statem in behaviours -> {:ok, :gen_statem}
      true -> {:skipped, "only gen_server and gen_statem processes are dry-run (behaviours: #{inspect(behaviours)})"}
    end
  end

  defp copy_state(pid) do
    state = :sys.get_state(pid, 5_000)
    size = :erlang.external_size(state)
    if size > @dry_run_max_state_bytes, do: {:skipped, "its state is #{div(size, 1024 * 1024)} MB"}, else: {:ok, state}
  catch
    :exit, reason -> {:skipped, "no state from sys:get_state within 5 s (#{inspect(reason, limit: 5)})"}
  end

  # Erlang, evaluated in the dry-run node: what sys:change_code would count as a failure
  defp code_change_expr(:gen_server), do: parse_expr("try M:code_change(V, S, E) of {ok, _} -> ok; R -> {returned, R} catch C:R:T -> {raised, C, R, T} end.")
  defp code_change_expr(:gen_statem), do: parse_expr("try M:code_change(V, element(1, S), element(2, S), E) of {ok, _, _} -> ok; R -> {returned, R} catch C:R:T -> {raised, C, R, T} end.")

  defp parse_expr(text) do
    {:ok, tokens, _} = :erl_scan.string(String.to_charlist(text))
    {:ok, [expr]} = :erl_parse.parse_exprs(tokens)
    expr
  end

  defp bindings(kv), do: Enum.reduce(kv, :erl_eval.new_bindings(), fn {k, v}, acc -> :erl_eval.add_binding(k, v, acc) end)

  defp failed(mod, kind, failure, state) do
    why =
      case failure do
        {:raised, class, reason, stack} -> code_change_name(mod, kind) <> " " <> describe_raise(class, reason, stack)
        {:returned, other} -> "#{code_change_name(mod, kind)} returned #{inspect(other, limit: 8)}, not {:ok, ...}"
      end

    if local_only?(state),
      do: {:skipped, why <> ", but its state holds pids, ports, references or funs, which mean nothing outside the live node: not counted"},
      else: {:failed, why}
  end

  defp code_change_name(mod, :gen_server), do: "code_change/3 of #{inspect(mod)}"
  defp code_change_name(mod, :gen_statem), do: "code_change/4 of #{inspect(mod)}"

  defp describe_raise(:error, reason, stack) do
    e = Exception.normalize(:error, reason, stack)
    "raised #{inspect(e.__struct__)}: #{Exception.message(e)}"
  end

  defp describe_raise(:throw, value, _), do: "threw #{inspect(value, limit: 8)}"
  defp describe_raise(:exit, reason, _), do: "exited: #{inspect(reason, limit: 8)}"

  defp local_only?(t) when is_pid(t) or is_port(t) or is_reference(t) or is_function(t), do: true
  defp local_only?(t) when is_tuple(t), do: t |> Tuple.to_list() |> local_only?()
  defp local_only?(t) when is_map(t), do: Enum.any?(t, fn {k, v} -> local_only?(k) or local_only?(v) end)
  defp local_only?([h | t]), do: local_only?(h) or local_only?(t)
  defp local_only?(_), do: false

  # A failure after point_of_no_return (the dry run cannot foresee every one) is answered with
  # {:error, reason}, and release_handler then restarts this node in place (init:restart/0: same OS
  # process, every application stopped and started again) into the permanent release.
  defp install_failure({:code_change_failed, _pid, mod, _vsn, reason}, back_to),
    do: "install_release failed after point_of_no_return: code_change of #{inspect(mod)} #{describe_sys_error(reason)}; release_handler restarts this node in place into #{back_to}: requests fail until it is back"

  defp install_failure(reason, back_to),
    do: "install_release failed: #{inspect(reason, limit: 8)}; after point_of_no_return, release_handler restarts this node in place into #{back_to}"

  # what sys:change_code answered: gen_server and gen_statem catch code_change's exception
  defp describe_sys_error({:EXIT, {reason, stack}}) when is_list(stack), do: describe_raise(:error, reason, stack)
  defp describe_sys_error(other), do: "failed: #{inspect(other, limit: 8)}"

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
