# What `make install` puts where (library, headers, libgup.pc, tools, man page,
# README/docs/examples under share/doc/libgup), and the consumer tests that build
# README's API example as a user would. Included from the top-level CMakeLists.txt.

# What a consumer's compiler needs beyond -I: libgup.pc's Cflags and the
# consumer tests in tests/install use this one list.
set(GUP_CONSUMER_DEFINITIONS _DEFAULT_SOURCE)
list(TRANSFORM GUP_CONSUMER_DEFINITIONS PREPEND -D OUTPUT_VARIABLE _gup_pc_defs)
string(JOIN " " GUP_PC_CFLAGS ${_gup_pc_defs})

# The demo is installed, next to gup, under a name that says whose it is.
if(TARGET demo)
  set_target_properties(demo PROPERTIES OUTPUT_NAME gup-demo)
endif()

# libgup.so records where its own non-system dependencies (a liburcu outside the
# default search path) were found; consumers find libgup.so itself through
# LD_LIBRARY_PATH, ldconfig or their own rpath (README, "The C API").
set_target_properties(gup_shared PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)

install(TARGETS gup_static gup_shared
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(FILES ${CMAKE_SOURCE_DIR}/include/libgup.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
file(GLOB _pub_hdrs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/include/gup/*.h)
install(FILES ${_pub_hdrs} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/gup)

configure_file(${CMAKE_SOURCE_DIR}/libgup.pc.in ${CMAKE_BINARY_DIR}/libgup.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/libgup.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(FILES ${CMAKE_SOURCE_DIR}/docs/gup.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# --------------------------------------------------- README's API example ----
# README.md holds the example between "<!-- api-example" and "<!-- /api-example -->";
# it is written out here at configure time so that README, the installed copy, CTest
# and .ci/run all build the same text.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/README.md)
file(READ ${CMAKE_SOURCE_DIR}/README.md _readme)
string(REGEX MATCH "<!-- api-example[^\n]*\n[^`]*```c\n(.*)\n```\n<!-- /api-example -->" _m "${_readme}")
if(NOT CMAKE_MATCH_1)
  message(FATAL_ERROR "README.md: no ```c block between <!-- api-example --> and <!-- /api-example -->")
endif()
set(GUP_API_EXAMPLE ${CMAKE_BINARY_DIR}/api_example.c)
file(CONFIGURE OUTPUT ${GUP_API_EXAMPLE}
  CONTENT "/* README.md's API example, extracted by cmake/install.cmake. */\n${CMAKE_MATCH_1}\n" @ONLY)

# ------------------------------------------------ share/doc/libgup ----
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB _docs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.md ${CMAKE_SOURCE_DIR}/docs/*.svg)
install(FILES ${_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB _examples CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/examples/*)
install(FILES ${_examples} ${GUP_API_EXAMPLE} DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# ------------------------------------------------------- consumer tests ----
add_subdirectory(${CMAKE_SOURCE_DIR}/tests/install ${CMAKE_BINARY_DIR}/tests/install)
