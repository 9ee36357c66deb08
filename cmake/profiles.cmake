# Semantics profiles in CTest: every test and example runs once per profile in
# GUP_PROFILES, with GUP_PROFILE=<profile> in its environment and the label
# profile-<profile> (ctest -L profile-5.11). While only one profile is listed a
# test keeps its plain name; with more, each copy is named <name>@<profile>.
# Included from the top-level CMakeLists.txt before any test is added.

# The profiles libgup knows (sim_profile_names()); -DGUP_PROFILES=... picks a subset.
set(GUP_KNOWN_PROFILES "5.11" "6.18")
if(NOT DEFINED GUP_PROFILES)
  set(GUP_PROFILES ${GUP_KNOWN_PROFILES})
endif()
foreach(_profile IN LISTS GUP_PROFILES)
  if(NOT _profile IN_LIST GUP_KNOWN_PROFILES)
    message(FATAL_ERROR "GUP_PROFILES: unknown profile '${_profile}' (known: ${GUP_KNOWN_PROFILES})")
  endif()
endforeach()

# The CTest name of test <base> under <profile>, in <out>.
function(gup_profile_test_name out base profile)
  list(LENGTH GUP_PROFILES _count)
  if(_count GREATER 1)
    set(${out} "${base}@${profile}" PARENT_SCOPE)
  else()
    set(${out} "${base}" PARENT_SCOPE)
  endif()
endfunction()

# gup_add_test(NAME <name> COMMAND <command> [<arg>...]): add_test() once per profile.
# Arguments may contain ';' (regexes do); empty arguments are dropped.
function(gup_add_test)
  if(ARGC LESS 4 OR NOT ARGV0 STREQUAL "NAME" OR NOT ARGV2 STREQUAL "COMMAND")
    message(FATAL_ERROR "gup_add_test(NAME <name> COMMAND <command>...) expected, got: ${ARGV}")
  endif()
  set(_command "")
  math(EXPR _last "${ARGC} - 1")
  foreach(_i RANGE 3 ${_last})
    string(REPLACE ";" "\\;" _arg "${ARGV${_i}}")
    list(APPEND _command "${_arg}")
  endforeach()
  foreach(_profile IN LISTS GUP_PROFILES)
    gup_profile_test_name(_name ${ARGV1} ${_profile})
    add_test(NAME ${_name} COMMAND ${_command})
    # ENVIRONMENT_MODIFICATION applies on top of ENVIRONMENT, so later
    # gup_set_tests_properties(... ENVIRONMENT ...) cannot drop the profile.
    set_property(TEST ${_name} PROPERTY ENVIRONMENT_MODIFICATION "GUP_PROFILE=set:${_profile}")
    set_property(TEST ${_name} PROPERTY LABELS "profile-${_profile}")
  endforeach()
endfunction()

# gup_set_tests_properties(<name>... PROPERTIES <prop> <value> ...): set_tests_properties()
# on every profile's copy of each test; LABELS keep the profile label.
function(gup_set_tests_properties)
  set(_names "")
  set(_i 0)
  while(_i LESS ARGC AND NOT "${ARGV${_i}}" STREQUAL "PROPERTIES")
    list(APPEND _names "${ARGV${_i}}")
    math(EXPR _i "${_i} + 1")
  endwhile()
  math(EXPR _i "${_i} + 1")
  while(_i LESS ARGC)
    math(EXPR _v "${_i} + 1")
    if(NOT _v LESS ARGC)
      message(FATAL_ERROR "gup_set_tests_properties: property ${ARGV${_i}} has no value")
    endif()
    foreach(_base IN LISTS _names)
      foreach(_profile IN LISTS GUP_PROFILES)
        gup_profile_test_name(_name ${_base} ${_profile})
        set_property(TEST ${_name} PROPERTY ${ARGV${_i}} "${ARGV${_v}}")
        if("${ARGV${_i}}" STREQUAL "LABELS")
          set_property(TEST ${_name} APPEND PROPERTY LABELS "profile-${_profile}")
        endif()
      endforeach()
    endforeach()
    math(EXPR _i "${_i} + 2")
  endwhile()
endfunction()
