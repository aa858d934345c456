# install.cmake - what `cmake --install` puts under the prefix (SPEC §8
# "Install"): the dealsim executable, the dealsim_core library with its public
# headers, a CMake package (find_package(dealsim) gives the imported target
# dealsim::dealsim_core), a pkg-config file (dealsim.pc), the scenario files,
# the JSON Schema of the scenario format, and the C example of embedding.
# Included once from the top-level CMakeLists.txt, after both targets exist.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The name the installed package gives, also for a parent project that adds
# dealsim with add_subdirectory.
add_library(dealsim::dealsim_core ALIAS dealsim_core)

option(DEALSIM_INSTALL "Generate the install rules" ${PROJECT_IS_TOP_LEVEL})
if(NOT DEALSIM_INSTALL)
  return()
endif()

get_target_property(_ds_core_type dealsim_core TYPE)
if(_ds_core_type STREQUAL "STATIC_LIBRARY")
  set(DEALSIM_CORE_STATIC TRUE)
else()
  set(DEALSIM_CORE_STATIC FALSE)
  # A shared dealsim_core: the installed executable finds it beside itself.
  file(RELATIVE_PATH _ds_bin_to_lib ${CMAKE_INSTALL_FULL_BINDIR}
       ${CMAKE_INSTALL_FULL_LIBDIR})
  set_target_properties(dealsim PROPERTIES INSTALL_RPATH "$ORIGIN/${_ds_bin_to_lib}")
  # Before 1.0 a minor version may change the ABI, as for the package below.
  set_target_properties(dealsim_core PROPERTIES VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
endif()

install(TARGETS dealsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS dealsim_core EXPORT dealsimTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/dealsim
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")

# CMake package: <libdir>/cmake/dealsim/dealsim{Config,ConfigVersion,Targets}.cmake
set(DEALSIM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/dealsim)
install(EXPORT dealsimTargets NAMESPACE dealsim:: DESTINATION ${DEALSIM_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/dealsimConfig.cmake.in
  ${PROJECT_BINARY_DIR}/dealsimConfig.cmake
  INSTALL_DESTINATION ${DEALSIM_CMAKE_DIR})
# Before 1.0 a minor version may change the API: only 0.x.* matches 0.x.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dealsimConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dealsimConfig.cmake
              ${PROJECT_BINARY_DIR}/dealsimConfigVersion.cmake
        DESTINATION ${DEALSIM_CMAKE_DIR})

# pkg-config.  A static archive records none of its dependencies, so every
# program linked with it needs them: they are public (Requires, Libs) for a
# static dealsim_core, and private (needed for `pkg-config --static` only)
# for a shared one.  GSL is always public: the public headers include its
# headers.  The prefix is found from the .pc file's own place, so the
# installed tree can be moved (and `cmake --install --prefix` works).
if(DEALSIM_CORE_STATIC)
  set(DEALSIM_PC_DEPS "Requires: gsl libcjson\nLibs: -L\${libdir} -ldealsim_core -lm -pthread")
else()
  set(DEALSIM_PC_DEPS "Requires: gsl\nRequires.private: libcjson\nLibs: -L\${libdir} -ldealsim_core\nLibs.private: -lm -pthread")
endif()
set(_ds_pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(DEALSIM_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(DEALSIM_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(DEALSIM_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH _ds_pc_up /${_ds_pc_dir} /)
  string(REGEX REPLACE "/$" "" _ds_pc_up "${_ds_pc_up}")
  set(DEALSIM_PC_PREFIX "\${pcfiledir}/${_ds_pc_up}")
  set(DEALSIM_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(DEALSIM_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/dealsim.pc.in ${PROJECT_BINARY_DIR}/dealsim.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/dealsim.pc DESTINATION ${_ds_pc_dir})

# Data: the scenario files.  (The JSON Schema of the scenario format, the man
# pages and the completions are generated and installed by cli-docs.cmake.)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/dealsim/scenarios FILES_MATCHING PATTERN "*.json")

# The example of embedding the library, buildable from where it is installed.
install(FILES ${PROJECT_SOURCE_DIR}/examples/embed.c ${PROJECT_SOURCE_DIR}/examples/CMakeLists.txt
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
