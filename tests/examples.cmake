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
