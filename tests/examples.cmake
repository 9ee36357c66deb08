# Runs every examples/*.gup scenario through `gup run` as a CTest test; each
# passes only if all its expectations hold and nothing leaked. Included from
# the top-level CMakeLists.txt; also hands the project version to the gup tool.
if(TARGET gup)
  target_compile_definitions(gup PRIVATE GUP_VERSION="${PROJECT_VERSION}")
  file(GLOB _gup_examples CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/examples/*.gup)
  foreach(example ${_gup_examples})
    get_filename_component(base ${example} NAME_WE)
    gup_add_test(NAME example_${base} COMMAND gup run -q ${example})
    gup_set_tests_properties(example_${base} PROPERTIES
      TIMEOUT 120
      ENVIRONMENT "${GUP_TEST_ENV}"
      LABELS "examples")
  endforeach()
endif()

# The scenario language's command table is the one source of its usage: the
# docs tables are generated from it and must agree (tests/docs/sync_docs.sh
# --update regenerates them), and `gup help run` prints it.
if(TARGET gup)
  gup_add_test(NAME docs_command_tables
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/docs/sync_docs.sh $<TARGET_FILE:gup>
            ${CMAKE_SOURCE_DIR}/docs/scenarios.md ${CMAKE_SOURCE_DIR}/docs/gup.1)
  gup_add_test(NAME help_run_lists_commands COMMAND gup help run)
  gup_set_tests_properties(help_run_lists_commands PROPERTIES
    PASS_REGULAR_EXPRESSION "pin \\[fast\\|fast_only.*pagetable ADDR \\[LEN\\]")
  gup_add_test(NAME help_run_one_command COMMAND gup help run mmap)
  gup_set_tests_properties(help_run_one_command PROPERTIES
    PASS_REGULAR_EXPRESSION "mmap NAME len=LEN.*defaults: prot=rw flags=private addr=0")
  gup_add_test(NAME help_run_unknown_command COMMAND gup help run no_such_command)
  gup_set_tests_properties(help_run_unknown_command PROPERTIES WILL_FAIL TRUE)
  # The language and its commands reach the machine only through the back end
  # (backend_sim.c is the one file that sees struct page and the test seams).
  file(GLOB _script_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tools/gup/script/*.c)
  list(REMOVE_ITEM _script_srcs ${CMAKE_SOURCE_DIR}/tools/gup/script/backend_sim.c)
  list(JOIN _script_srcs " " _script_srcs)
  gup_add_test(NAME script_commands_use_backend
    COMMAND sh -c "! grep -nE '<libgup.h>|struct (page|mm_struct|task_struct|vm_area_struct)[ *]|mm_find_pte|dbg_|mmap_read_lock|page_to_pfn' ${_script_srcs}")
  foreach(t docs_command_tables help_run_lists_commands help_run_one_command
            help_run_unknown_command script_commands_use_backend)
    gup_set_tests_properties(${t} PROPERTIES LABELS "examples;docs" ENVIRONMENT "${GUP_TEST_ENV}")
  endforeach()
endif()

# `gup run` on scripts and inputs that pin down the runner's own behaviour:
# tests/scripts/*.gup must pass; tests/scripts/bad/ and the other cases below
# must fail with status 2 and say why.
if(TARGET gup)
  file(GLOB _gup_test_scripts CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/scripts/*.gup)
  foreach(script ${_gup_test_scripts})
    get_filename_component(base ${script} NAME_WE)
    gup_add_test(NAME script_${base} COMMAND gup run -q ${script})
    gup_set_tests_properties(script_${base} PROPERTIES ENVIRONMENT "${GUP_TEST_ENV}" LABELS "examples")
  endforeach()
  gup_set_tests_properties(script_page_dump PROPERTIES PASS_REGULAR_EXPRESSION
    "page \\$a dump:\n  page:pfn=0x[0-9a-f]+ refcount:1 mapcount:1 mapping:set.*page g\\[0\\] dump:\n  page:pfn=0x[0-9a-f]+ refcount:2 .*not present")

  set(_expect_run bash ${CMAKE_SOURCE_DIR}/tests/tools/expect.sh 2)
  set(_bad ${CMAKE_SOURCE_DIR}/tests/scripts/bad)
  gup_add_test(NAME run_rejects_directory
    COMMAND ${_expect_run} "'.*examples' is a directory" $<TARGET_FILE:gup> run ${CMAKE_SOURCE_DIR}/examples)
  gup_add_test(NAME run_rejects_missing_file
    COMMAND ${_expect_run} "cannot open '/nonexistent/x.gup': No such file or directory"
            $<TARGET_FILE:gup> run /nonexistent/x.gup)
  # /proc/self/mem opens but reads fail (EIO at offset 0), even for root.
  gup_add_test(NAME run_rejects_unreadable_file
    COMMAND ${_expect_run} "/proc/self/mem: cannot read the script: Input/output error"
            $<TARGET_FILE:gup> run /proc/self/mem)
  gup_add_test(NAME run_rejects_bad_gup_profile
    COMMAND env GUP_PROFILE=bogus ${_expect_run} "unknown GUP_PROFILE='bogus' \\(known: 5.11"
            $<TARGET_FILE:gup> run ${CMAKE_SOURCE_DIR}/examples/tour.gup)
  gup_add_test(NAME run_rejects_empty_script
    COMMAND ${_expect_run} "empty.gup: empty script: no commands to run" $<TARGET_FILE:gup> run ${_bad}/empty.gup)
  gup_add_test(NAME run_rejects_bad_gup_inject
    COMMAND env GUP_INJECT=page_alloc:often ${_expect_run} "malformed GUP_INJECT='page_alloc:often'"
            $<TARGET_FILE:gup> run ${CMAKE_SOURCE_DIR}/examples/tour.gup)
  gup_add_test(NAME run_set_refuses_reserved
    COMMAND ${_expect_run} "'ret' is reserved" $<TARGET_FILE:gup> run ${_bad}/set_reserved.gup)
  gup_add_test(NAME run_mmap_refuses_reserved
    COMMAND ${_expect_run} "'EFAULT' is reserved" $<TARGET_FILE:gup> run ${_bad}/mmap_reserved.gup)
  gup_add_test(NAME run_memremap_refuses_bad_type
    COMMAND ${_expect_run} "expected a device memory type \\(generic fsdax private coherent\\), got 'hmm'"
            $<TARGET_FILE:gup> run ${_bad}/memremap_bad_type.gup)
  gup_add_test(NAME run_boot_refuses_unaligned_device
    COMMAND ${_expect_run} "device=0x300000 is not a multiple of 2M"
            $<TARGET_FILE:gup> run ${_bad}/boot_device_unaligned.gup)
  gup_add_test(NAME run_devmap_refuses_unknown_range
    COMMAND ${_expect_run} "expected the name of a device range \\(from memremap\\), got 'nodev'"
            $<TARGET_FILE:gup> run ${_bad}/devmap_unknown_range.gup)
  gup_add_test(NAME run_boot_refuses_hugetlb_1g_too_big
    COMMAND ${_expect_run} "hugetlb1g=1 needs mem= of at least 2 GiB" $<TARGET_FILE:gup> run ${_bad}/boot_hugetlb_1g_too_big.gup)
  gup_add_test(NAME run_set_refuses_string
    COMMAND ${_expect_run} "expected a number .*got a string" $<TARGET_FILE:gup> run ${_bad}/set_string.gup)
  # Page-table pictures (pagetable dot=FILE, gup run --dot DIR): they parse with
  # Graphviz's dot and draw the fork + pin story; bad uses are script errors.
  gup_add_test(NAME dot_picture_fork_pin
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/scripts/dot_picture.sh $<TARGET_FILE:gup>
            ${CMAKE_SOURCE_DIR}/examples/fork_pin_picture.gup)
  gup_add_test(NAME dot_tasks_need_file
    COMMAND ${_expect_run} "tasks= names the tasks of a picture: it needs dot=FILE"
            $<TARGET_FILE:gup> run ${_bad}/dot_tasks_without_file.gup)
  gup_add_test(NAME dot_unwritable_file
    COMMAND ${_expect_run} "cannot write '/nonexistent/dir/picture.dot': No such file"
            $<TARGET_FILE:gup> run ${_bad}/dot_unwritable.gup)
  gup_add_test(NAME dot_unknown_task
    COMMAND ${_expect_run} "live task .*got 'nobody'" $<TARGET_FILE:gup> run ${_bad}/dot_unknown_task.gup)
  # Boot options, hooks at sim points, and pins left at the end named by line.
  gup_add_test(NAME boot_rejects_unknown_profile
    COMMAND ${_expect_run} "expected a profile \\(5\\.11[^)]*\\), got '4\\.19'"
            $<TARGET_FILE:gup> run ${_bad}/boot_unknown_profile.gup)
  gup_add_test(NAME boot_rejects_bad_kswapd
    COMMAND ${_expect_run} "expected kswapd=on or off, got 'maybe'"
            $<TARGET_FILE:gup> run ${_bad}/boot_kswapd_bogus.gup)
  gup_add_test(NAME boot_rejects_bogus_init_on_free
    COMMAND ${_expect_run} "expected 0 or 1 from 0 to 1, got 2"
            $<TARGET_FILE:gup> run ${_bad}/boot_init_on_free_bogus.gup)
  gup_add_test(NAME boot_rejects_big_fault_around
    COMMAND ${_expect_run} "expected a size \\(at most 2M\\) from 0 to 2097152, got 4194304"
            $<TARGET_FILE:gup> run ${_bad}/boot_fault_around_too_big.gup)
  gup_add_test(NAME run_rejects_unknown_profile
    COMMAND ${_expect_run} "unknown profile '4\\.19' \\(known: 5\\.11"
            $<TARGET_FILE:gup> run --profile 4.19 ${CMAKE_SOURCE_DIR}/examples/tour.gup)
  gup_add_test(NAME run_profile_boots_it
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/tools/expect.sh 0 "shutdown clean"
            $<TARGET_FILE:gup> run -q --profile 5.11 ${CMAKE_SOURCE_DIR}/examples/tour.gup)
  gup_add_test(NAME at_refuses_unsafe_command
    COMMAND ${_expect_run} "`mmap` cannot run at a point"
            $<TARGET_FILE:gup> run ${_bad}/at_unsafe_command.gup)
  gup_add_test(NAME run_names_pins_left_by_line
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/tools/expect.sh 1
            "2 pin\\(s\\) on 2 page\\(s\\), taken at leaves_pin\\.gup:5 "
            $<TARGET_FILE:gup> run -q ${CMAKE_SOURCE_DIR}/tests/scripts/bad/leaves_pin.gup)
  # Files: bad names and a missing temporary directory are script errors; the
  # directory goes at the end of every run.
  gup_add_test(NAME file_rejects_unknown_name
    COMMAND ${_expect_run} "file_unknown_name.gup:5: expected the name of a file .*got 'nosuch'"
            $<TARGET_FILE:gup> run ${_bad}/file_unknown_name.gup)
  gup_add_test(NAME file_tmpfile_without_tmpdir
    COMMAND env TMPDIR=/nonexistent ${_expect_run}
            "cannot make a temporary directory under /nonexistent: No such file"
            $<TARGET_FILE:gup> run ${_bad}/file_tmpfile.gup)
  gup_add_test(NAME file_tmpdir_removed
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/scripts/file_tmpdir.sh $<TARGET_FILE:gup>
            ${CMAKE_SOURCE_DIR}/examples/pin_across_writeback.gup ${_bad}/file_unknown_name.gup)
  gup_add_test(NAME memfd_rejects_unknown_seal
    COMMAND ${_expect_run} "memfd_unknown_seal.gup:5: expected seal shrink grow write future_write exec, comma-separated, got 'nope'"
            $<TARGET_FILE:gup> run ${_bad}/memfd_unknown_seal.gup)
  gup_add_test(NAME memfd_has_no_host_file
    COMMAND ${_expect_run} "memfd_expect_file.gup:5: 'buf' is a memfd, with no host file"
            $<TARGET_FILE:gup> run ${_bad}/memfd_expect_file.gup)
  foreach(t run_rejects_directory run_rejects_missing_file run_rejects_empty_script
            run_rejects_bad_gup_inject run_set_refuses_reserved run_mmap_refuses_reserved
            run_set_refuses_string dot_picture_fork_pin dot_tasks_need_file dot_unwritable_file
            dot_unknown_task boot_rejects_unknown_profile run_rejects_unknown_profile
            run_profile_boots_it at_refuses_unsafe_command run_names_pins_left_by_line
            file_rejects_unknown_name file_tmpfile_without_tmpdir file_tmpdir_removed
            memfd_rejects_unknown_seal memfd_has_no_host_file)
    gup_set_tests_properties(${t} PROPERTIES ENVIRONMENT "${GUP_TEST_ENV}" LABELS "examples")
  endforeach()
endif()
