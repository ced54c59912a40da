defmodule Gatling.UpgradeHooks do
  @moduledoc """
  Runs *inside* the release_handler process, in the middle of
  `:release_handler.install_release/1` (both in the upgrade and in the
  downgrade script): `reapply_runtime_config/1` first thing, before the new
  code loads, `reload_consolidated/1` right after `point_of_no_return`.

  make_upgrade.exs compiles this file and embeds the object code in the relup
  (`{apply, {:code, :load_binary, [...]}}`), so the deployed app needs no
  dependency. It patches what `mix release` keeps outside of OTP's view:

    * runtime configuration (config/runtime.exs): before evaluating the relup,
      release_handler resets every application's env to `.app` env +
      releases/VSN/sys.config (build-time config only), which silently drops
      everything runtime.exs computed at boot. `reapply_runtime_config/1`
      re-runs the release's config providers and puts the result back;
    * consolidated protocols (releases/VSN/consolidated) are put on the code
      path by the boot script, not by an application, so no appup/relup ever
      reloads them. `reload_consolidated/1` swaps the path and reloads the
      protocol modules whose object code changed.

  Code after point_of_no_return must never raise (release_handler would
  restart the node into the permanent release), so every hook rescues, logs
  and returns :error; upgrade.exs verifies the effect afterwards.
  """
  require Logger

  @doc "Re-run the config providers (runtime.exs) of release `vsn` and apply the result."
  def reapply_runtime_config(vsn) do
    vsn = to_string(vsn)

    # Computed before install_release by upgrade.exs's preflight (prepare/2): re-applying is then one
    # put_all_env, so the moment in which the env lacks the runtime.exs values is as short as can be.
    prepared =
      case :persistent_term.get({__MODULE__, vsn}, :none) do
        :none -> runtime_config(vsn)
        config -> {:ok, config}
      end

    case prepared do
      {:ok, nil} ->
        Logger.info("[gatling] #{vsn} has no config providers, nothing to re-apply")
        :ok

      {:ok, config} ->
        :ok = Application.put_all_env(config, persistent: true)
        Logger.info("[gatling] re-applied runtime config of #{vsn}: #{inspect(Keyword.keys(config))}")
        :ok

      {:error, message} ->
        Logger.error("[gatling] runtime config of #{vsn}: #{message}")
        :error
    end
  rescue
    e ->
      Logger.error("[gatling] runtime config of #{vsn} failed: " <> Exception.format(:error, e, __STACKTRACE__))
      :error
  end

  @doc "Keep the runtime config of `vsn`, computed outside install_release, for reapply_runtime_config/1."
  def prepare(vsn, config), do: :persistent_term.put({__MODULE__, to_string(vsn)}, config)

  def forget(vsn), do: :persistent_term.erase({__MODULE__, to_string(vsn)})

  @doc """
  The application config release `vsn` would boot with in this node's OS
  environment: sys.config + config providers (runtime.exs), without kernel
  and stdlib (those cannot change without a reboot). `{:ok, nil}` when the
  release has no config providers. Raises if a provider raises (preflight).
  """
  def runtime_config(vsn) do
    sys_config = Path.join([root(), "releases", to_string(vsn), "sys.config"])

    case :file.consult(String.to_charlist(sys_config)) do
      {:ok, [base]} ->
        case get_in(base, [:elixir, :config_provider_init]) do
          %{providers: providers} = init ->
            config =
              Enum.reduce(providers, Config.__merge__(base, init.extra_config), fn {mod, state}, acc ->
                mod.load(acc, state)
              end)

            {:ok, Keyword.drop(config, [:kernel, :stdlib])}

          _ ->
            {:ok, nil}
        end

      other ->
        {:error, "cannot read #{sys_config}: #{inspect(other)}"}
    end
  end

  @doc "Put releases/VSN/consolidated on the code path and reload changed protocol modules."
  def reload_consolidated(vsn) do
    new_dir = Path.join([root(), "releases", to_string(vsn), "consolidated"])

    for p <- :code.get_path(),
        p = List.to_string(p),
        Regex.match?(~r{/releases/[^/]+/consolidated/?$}, p),
        Path.expand(p) != new_dir do
      :code.del_path(String.to_charlist(p))
    end

    if File.dir?(new_dir) do
      true = :code.add_patha(String.to_charlist(new_dir))

      reloaded =
        for beam <- Path.wildcard(Path.join(new_dir, "*.beam")),
            mod = beam |> Path.basename(".beam") |> String.to_atom(),
            {:ok, {^mod, md5}} = :beam_lib.md5(String.to_charlist(beam)),
            not (:erlang.module_loaded(mod) and mod.module_info(:md5) == md5) do
          purge(mod, 20)
          {:module, ^mod} = :code.load_abs(String.to_charlist(Path.rootname(beam)))
          mod
        end

      Logger.info("[gatling] consolidated protocols of #{vsn}, reloaded: #{inspect(reloaded)}")
      :ok
    else
      :ok
    end
  rescue
    e ->
      Logger.error("[gatling] reload_consolidated(#{vsn}) failed: " <> Exception.format(:error, e, __STACKTRACE__))
      :error
  end

  # Protocol modules run for microseconds (dispatch): a soft purge practically
  # always succeeds; fall back to a hard purge after ~1 s.
  defp purge(mod, 0), do: :code.purge(mod)

  defp purge(mod, n) do
    if :code.soft_purge(mod), do: true, else: (Process.sleep(50); purge(mod, n - 1))
  end

  defp root, do: List.to_string(:code.root_dir())
end
