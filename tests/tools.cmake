# The gup tool's bench and stress subcommands as CTest tests: every bad-input
# case names its option, --help exits 0, JSON output parses, a seeded --ops run
# repeats exactly, SIGINT stops stress with its summary. Included from the
# top-level CMakeLists.txt; every test here takes well under 5 s.
if(TARGET gup)
  set(_tool_dir ${CMAKE_SOURCE_DIR}/tests/tools)

  # gup_tool_expect(<name> <exit status> <regex> <gup args...>)
  function(gup_tool_expect name status regex)
    gup_add_test(NAME tool_${name}
      COMMAND bash ${_tool_dir}/expect.sh ${status} "${regex}" $<TARGET_FILE:gup> ${ARGN})
    gup_set_tests_properties(tool_${name} PROPERTIES
      TIMEOUT 30 ENVIRONMENT "${GUP_TEST_ENV}" LABELS "tools")
  endfunction()

  # --help on every subcommand: exit 0, defaults shown.
  gup_tool_expect(help_bench 0 "region size.*default 128" bench --help)
  gup_tool_expect(help_stress 0 "default 10" stress --help)
  gup_tool_expect(help_run 0 "run \\[-q\\] FILE" run --help)
  gup_tool_expect(run_dot_needs_dir 2 "--dot needs a directory" run --dot)

  # gup bench: bad values name the option and the accepted range.
  gup_tool_expect(bench_m_junk 2 "-m: invalid value 'abc' \\(accepted: 1\\.\\.1048576 MiB\\)" bench -m abc)
  gup_tool_expect(bench_m_zero 2 "-m: invalid value '0' \\(accepted: 1\\.\\.1048576" bench -m 0)
  gup_tool_expect(bench_r_zero 2 "-r: invalid value '0' \\(accepted: 1\\.\\.1000000\\)" bench -r 0)
  gup_tool_expect(bench_r_junk 2 "-r: invalid value '5x'" bench -r 5x)
  gup_tool_expect(bench_n_zero 2 "-n: invalid value '0' \\(accepted: -1 \\(whole range\\) or 1\\.\\." bench -n 0)
  gup_tool_expect(bench_n_minus2 2 "-n: invalid value '-2'" bench -n -2)
  gup_tool_expect(bench_j_zero 2 "-j: invalid value '0' \\(accepted: 1\\.\\.64\\)" bench -j 0)
  gup_tool_expect(bench_j_many 2 "-j: invalid value '65' \\(accepted: 1\\.\\.64\\)" bench -j 65)
  gup_tool_expect(bench_unknown_option 2 "gup bench: -Q: unknown option \\(try: gup bench --help\\)" bench -Q)
  gup_tool_expect(bench_unknown_long_option 2 "gup bench: --fast: unknown option" bench --fast)
  gup_tool_expect(bench_missing_value 2 "gup bench: -m: needs a value" bench -m)
  # -F as gup_test parses it: decimal, 0x hex, 0 octal; junk refused.
  gup_tool_expect(bench_F_junk 2 "-F: invalid value '0x1g' \\(accepted: 0\\.\\.0xffffffff" bench -F 0x1g)
  gup_tool_expect(bench_F_negative 2 "-F: invalid value '-1'" bench -F -1)
  gup_tool_expect(bench_F_too_big 2 "-F: invalid value '0x100000000'" bench -F 0x100000000)
  gup_tool_expect(bench_F_octal 0 "\"gup_flags\":\"0x9\"" bench -U -m 1 -F 010 --json)
  gup_tool_expect(bench_F_hex 0 "\"gup_flags\":\"0x11\"" bench -U -m 1 -F 0x10 --json)
  # 24 = FOLL_FORCE|FOLL_DUMP; 10 would hold FOLL_TOUCH, an internal flag 6.18 refuses.
  gup_tool_expect(bench_F_decimal 0 "\"gup_flags\":\"0x19\"" bench -U -m 1 -F 24 --json)
  # A region the host cannot hold is refused up front with the figures.
  gup_tool_expect(bench_too_big 2 "-m 1048576: the run needs [0-9]+ MiB of host memory .* but [0-9]+ MiB is available" bench -m 1048576)
  # A run whose calls failed exits non-zero (FOLL_DUMP is not a fast-path flag: -EINVAL).
  gup_tool_expect(bench_failed_call 1 "a call failed: Invalid argument" bench -u -m 1 -F 0x8)
  # -T: today's 4 KiB pages, explicit (MADV_NOHUGEPAGE).
  gup_tool_expect(bench_T_runs 0 "GUP_FAST_BENCHMARK: Time: get:[0-9]+ put:[0-9]+ us" bench -T -m 1 -n 64)
  # -t: a 2 MiB-aligned MADV_HUGEPAGE region, populated with huge pmds; -T: MADV_NOHUGEPAGE.
  # gup_test's timing line either way; the JSON says how much of the region THPs back.
  gup_tool_expect(bench_t_runs 0 "^PIN_FAST_BENCHMARK: Time: get:[0-9]+ put:[0-9]+ us$" bench -t -a -m 4 -n 512)
  gup_tool_expect(bench_t_get_fast 0 "^GUP_FAST_BENCHMARK: Time: get:[0-9]+ put:[0-9]+ us$" bench -t -u -m 4 -n 512)
  gup_tool_expect(bench_t_json 0 "\"thp\":true,\"thp_mode\":\"madv_hugepage\",\"thp_bytes\":4194304," bench -t -a -m 4 -n 512 --json)
  gup_tool_expect(bench_T_json 0 "\"thp\":false,\"thp_mode\":\"madv_nohugepage\",\"thp_bytes\":0," bench -T -a -m 4 -n 512 --json)
  gup_tool_expect(bench_t_vs_kernel 0 "^THP: libgup 4 of 4 MiB in huge pages \\(AnonHugePages\\)" bench -t -a -m 4 -n 512 --vs-kernel)
  # A tail page of a THP as gup_test -c describes it: 5.11's dump_page shows the head's count.
  gup_tool_expect(bench_t_dump_tail 0 "page #1: pfn:0x[0-9a-f]+ refcount:[1-9][0-9]* mapcount:1 .*\\(dma pinned\\)" bench -t -c -p -m 4 1)
  # -H maps the region with MAP_HUGETLB from a pool the machine boots with: 2 huge pages.
  # --device pins a devmap region and, on a machine of its own, the same run over THP.
  gup_tool_expect(bench_device_vs_thp 0 "^devmap/THP: get [0-9.]+/[0-9.]+ ns/page = [0-9.]+, put [0-9.]+/[0-9.]+ ns/page = [0-9.]+ \\(best of each\\)" bench -a --device -m 4 -n 512)
  gup_tool_expect(bench_device_json 0 "\"pages\":1024,\"expected\":1024,.*\"vs_thp\":\\{\"get_ns_per_page\":[0-9.]+,\"put_ns_per_page\":[0-9.]+,\"get_ratio\":[0-9.]+,\"put_ratio\":[0-9.]+\\},\"ok\":true" bench -a --device -m 4 -n 512 --json)
  gup_tool_expect(bench_device_refuses_thp 2 "--device maps device memory: no -t, -T, -H" bench --device -t)
  gup_tool_expect(bench_H_pins_hugetlb 0 "PIN_FAST_BENCHMARK: Time: get:[0-9]+ put:[0-9]+ us" bench -H -a -m 4 -n 512)
  # gup_test's own lines, whole, for each -H command.
  gup_tool_expect(bench_H_pin_line 0 "^PIN_FAST_BENCHMARK: Time: get:[0-9]+ put:[0-9]+ us$" bench -H -a -m 4 -n 512 --no-prefault)
  gup_tool_expect(bench_H_get_line 0 "^GUP_FAST_BENCHMARK: Time: get:[0-9]+ put:[0-9]+ us$" bench -H -u -m 4 -n 512 --no-prefault)
  gup_tool_expect(bench_H_longterm_line 0 "^PIN_LONGTERM_BENCHMARK: Time: get:[0-9]+ put:[0-9]+ us$" bench -H -L -m 4 -n 512 --no-prefault)
  # One 1 GiB page: zeroing it faults in a GiB of host memory, too slow under the
  # sanitizers (about 25 s with ASan on a loaded machine), so plain builds only.
  if(GUP_SANITIZE STREQUAL "")
    gup_tool_expect(bench_H_1g_smoke 0 "^PIN_FAST_BENCHMARK: Time: get:[0-9]+ put:[0-9]+ us$" bench -H --hugetlb-1g -a -m 1024 -n 512 -r 1 --no-prefault)
    gup_set_tests_properties(tool_bench_H_1g_smoke PROPERTIES TIMEOUT 120)
  endif()
  # -c on a hugetlb subpage shows its head's count, as dump_page(): the mapping + 512 gets.
  gup_tool_expect(bench_H_dump_subpage 0 "page #3: pfn:0x[0-9a-f]+ refcount:513 mapcount:1" bench -H -c -m 4 3)
  # -j shares the region among threads (2 x 256 pages); --split gives slices (256 in all).
  gup_tool_expect(bench_j_shared 0 "\"pages\":512,\"expected\":512" bench -j 2 -m 1 -n 64 --json)
  gup_tool_expect(bench_j_split 0 "\"pages\":256,\"expected\":256" bench -j 2 --split -m 1 -n 64 --json)
  # -c takes gup_test's 0-based page indices (0x hex too), in range, at most 8.
  gup_tool_expect(bench_c_indices 0 "page #16: pfn" bench -c -m 1 5 0x10)
  gup_tool_expect(bench_c_default 0 "page #0: pfn" bench -c -m 1)
  gup_tool_expect(bench_c_pin 0 "page #0: pfn.*\\(dma pinned\\)" bench -c -p -m 1)
  gup_tool_expect(bench_c_out_of_range 2 "-c: invalid value '256' \\(accepted: page index 0\\.\\.255" bench -c -m 1 256)
  gup_tool_expect(bench_c_too_many 2 "at most 8 page indices" bench -c -m 1 0 1 2 3 4 5 6 7 8)
  gup_tool_expect(bench_index_without_c 2 "page indices \\('3'\\) are for -c only" bench -m 1 3)
  # Progress on stderr when asked, even off a terminal.
  gup_tool_expect(bench_progress 0 "gup bench: GUP_FAST_BENCHMARK repeat 2/2" bench -m 1 -n 64 -r 2 --progress)
  # --vs-kernel names the host mechanism; ratios say which way they go.
  gup_tool_expect(bench_vs_kernel_gup_fast 0 "host kernel \\(vmsplice.*get_user_pages_fast" bench -u -m 1 -n 64 --vs-kernel)
  gup_tool_expect(bench_vs_kernel_ratio 0 "libgup/host: get [0-9.]+/[0-9.]+ ns/page = [0-9.]+ \\((libgup faster|host faster|even)\\)" bench -u -m 1 -n 64 --vs-kernel)

  # -c with --json keeps stdout one valid JSON document.
  gup_add_test(NAME tool_bench_c_json
    COMMAND bash ${_tool_dir}/json_stdout.sh $<TARGET_FILE:gup> bench -c -m 1 0 7 --json)
  gup_add_test(NAME tool_bench_vs_kernel_json
    COMMAND bash ${_tool_dir}/json_stdout.sh $<TARGET_FILE:gup> bench -a -m 1 -n 64 -r 2 --vs-kernel --json)

  # gup stress: numeric options validated.
  gup_tool_expect(stress_seconds_junk 2 "--seconds: invalid value 'abc' \\(accepted: 0\\.\\.31536000" stress --seconds abc)
  gup_tool_expect(stress_seconds_negative 2 "--seconds: invalid value '-1'" stress --seconds -1)
  gup_tool_expect(stress_threads_one 2 "--threads: invalid value '1' \\(accepted: 2\\.\\.64\\)" stress --threads 1)
  gup_tool_expect(stress_threads_junk 2 "--threads: invalid value '4x'" stress --threads 4x)
  gup_tool_expect(stress_seed_junk 2 "--seed: invalid value '12z'" stress --seed 12z)
  gup_tool_expect(stress_seed_negative 2 "--seed: invalid value '-5'" stress --seed -5)
  gup_tool_expect(stress_ops_zero 2 "--ops: invalid value '0' \\(accepted: 1\\.\\." stress --ops 0)
  gup_tool_expect(stress_missing_value 2 "gup stress: --seconds: needs a value" stress --seconds)
  gup_tool_expect(stress_unknown_option 2 "gup stress: --fast: unknown option" stress --fast)
  gup_tool_expect(stress_extra_arg 2 "unexpected argument 'x'" stress x)
  # The seed and options come first, before any round.
  gup_tool_expect(stress_plan_first 0 "^gup stress: seed 0x2a, 2 threads .*deterministic.*at most 800 ops" stress --ops 800 --seed 42 --threads 2)
  # With --ops a seed reproduces the run exactly.
  gup_add_test(NAME tool_stress_ops_repeat
    COMMAND bash ${_tool_dir}/stress_repeat.sh $<TARGET_FILE:gup> --ops 3000 --seed 0x1234 --threads 4)
  # SIGINT stops the run with the summary and the seed.
  gup_add_test(NAME tool_stress_sigint COMMAND bash ${_tool_dir}/stress_sigint.sh $<TARGET_FILE:gup>)
  gup_set_tests_properties(tool_bench_c_json tool_bench_vs_kernel_json tool_stress_ops_repeat
    tool_stress_sigint PROPERTIES TIMEOUT 30 ENVIRONMENT "${GUP_TEST_ENV}" LABELS "tools")

  # bench/plot draws SVGs from saved runs (when gnuplot is installed).
  find_program(GUP_GNUPLOT gnuplot)
  if(GUP_GNUPLOT)
    gup_add_test(NAME tool_bench_plot
      COMMAND bash ${_tool_dir}/bench_plot.sh $<TARGET_FILE:gup> ${CMAKE_SOURCE_DIR}/bench/plot)
    gup_set_tests_properties(tool_bench_plot PROPERTIES
      TIMEOUT 30 ENVIRONMENT "${GUP_TEST_ENV}" LABELS "tools")
  endif()
  # gup diff (docs/diff.md): every example against the host kernel, with the
  # explained differences of tests/diff/known.txt; a planted wrong model answer
  # shows as a difference; nothing is left behind on any exit path. Each skips
  # (77) where the host cannot play scenarios (not root, no io_uring). The
  # machine-wide pin counters are compared by tool_diff_pin_counters only.
  set(_diff_dir ${CMAKE_SOURCE_DIR}/tests/diff)
  set(_diff_tests "")
  file(GLOB _diff_examples CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/examples/*.gup)
  # Examples whose commands the host back end does not play yet: docs/diff.md,
  # "Not yet on the host".
  set(_diff_not_yet cma_longterm device_dax device_coherent swap_io_errors reclaim_file)
  foreach(example ${_diff_examples})
    get_filename_component(_name ${example} NAME_WE)
    if(_name IN_LIST _diff_not_yet)
      continue()
    endif()
    gup_add_test(NAME tool_diff_${_name}
      COMMAND bash ${_diff_dir}/diff_expect.sh 0 " 0 differ|differ \\(([0-9]+) known\\)"
        $<TARGET_FILE:gup> --known ${_diff_dir}/known.txt ${example})
    list(APPEND _diff_tests tool_diff_${_name})
  endforeach()
  gup_add_test(NAME tool_diff_planted_wrong
    COMMAND bash ${_diff_dir}/diff_expect.sh 1 "≠ +write \\$a \"x\""
      $<TARGET_FILE:gup> ${_diff_dir}/planted_wrong.gup)
  gup_add_test(NAME tool_diff_threads
    COMMAND bash ${_diff_dir}/diff_expect.sh 0 "13 compared: 13 matched"
      $<TARGET_FILE:gup> ${_diff_dir}/threads.gup)
  gup_add_test(NAME tool_diff_mremap
    COMMAND bash ${_diff_dir}/diff_expect.sh 0 "23 compared: 23 matched"
      $<TARGET_FILE:gup> ${_diff_dir}/mremap.gup)
  gup_add_test(NAME tool_diff_kill
    COMMAND bash ${_diff_dir}/diff_expect.sh 0 "8 compared: 8 matched"
      $<TARGET_FILE:gup> ${_diff_dir}/kill.gup)
  gup_add_test(NAME tool_diff_no_odirect COMMAND bash ${_diff_dir}/no_odirect.sh
    $<TARGET_FILE:gup> ${CMAKE_SOURCE_DIR}/examples/zero_page.gup)
  gup_add_test(NAME tool_diff_json
    COMMAND bash ${_diff_dir}/diff_expect.sh 0 "\"status\": \"same\""
      $<TARGET_FILE:gup> --json ${CMAKE_SOURCE_DIR}/examples/cow_after_fork.gup)
  gup_add_test(NAME tool_diff_cleanup COMMAND bash ${_diff_dir}/cleanup.sh $<TARGET_FILE:gup>)
  gup_add_test(NAME tool_diff_not_root COMMAND bash ${_diff_dir}/not_root.sh
    $<TARGET_FILE:gup> ${CMAKE_SOURCE_DIR}/examples/cow_after_fork.gup)
  list(APPEND _diff_tests tool_diff_planted_wrong tool_diff_threads tool_diff_mremap tool_diff_kill
    tool_diff_no_odirect
    tool_diff_json tool_diff_cleanup
    tool_diff_not_root)
  gup_set_tests_properties(${_diff_tests} PROPERTIES TIMEOUT 60 SKIP_RETURN_CODE 77
    ENVIRONMENT "${GUP_TEST_ENV};GUP_DIFF_MACHINE_WIDE=off" LABELS "tools;diff")
  gup_add_test(NAME tool_diff_pin_counters COMMAND bash ${_diff_dir}/pin_counters.sh
    $<TARGET_FILE:gup> ${CMAKE_SOURCE_DIR}/examples/pin_then_fork.gup)
  # nr_foll_pin_* are machine-wide: no two tests that pin real pages run at once.
  gup_set_tests_properties(tool_diff_pin_counters PROPERTIES TIMEOUT 60 SKIP_RETURN_CODE 77
    ENVIRONMENT "${GUP_TEST_ENV}" LABELS "tools;diff" RESOURCE_LOCK host_pins)
  gup_set_tests_properties(tool_bench_vs_kernel_gup_fast tool_bench_vs_kernel_ratio
    tool_bench_vs_kernel_json PROPERTIES RESOURCE_LOCK host_pins)
  gup_tool_expect(diff_bad_known 2 "expected SCRIPT\\[@PROFILE\\]: COMMAND -- WHY"
    diff --known ${_diff_dir}/planted_wrong.gup ${_diff_dir}/planted_wrong.gup)
  gup_tool_expect(diff_unknown_profile 2 "unknown profile '9.99'"
    diff --profile 9.99 ${_diff_dir}/planted_wrong.gup)
endif()
