# cli-docs.cmake - the man pages and the bash and zsh completions of dealsim,
# generated at build time by the built `dealsim` from its command and option
# tables (sim/cli_opts.c), and their install rules.
#
# Included from CMakeLists.txt.  The same file, run in script mode
#   cmake -DDEALSIM=path/to/dealsim -DOUT=dir -P cli-docs.cmake
# writes the files:
#   OUT/man/man1/dealsim.1, OUT/man/man1/dealsim-COMMAND.1 (one per command),
#   OUT/man/man5/dealsim-scenario.5 (the scenario format),
#   OUT/scenario.schema.json (the JSON Schema of `dealsim schema`),
#   OUT/completions/dealsim (bash), OUT/completions/_dealsim (zsh).

if(CMAKE_SCRIPT_MODE_FILE)
  # Run `dealsim ARGS...` with its output into OUT/file; fail on any error.
  function(ds_doc file)
    execute_process(COMMAND ${DEALSIM} ${ARGN} OUTPUT_FILE ${OUT}/${file}
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "dealsim ${ARGN} failed (${rc}): ${err}")
    endif()
  endfunction()

  file(REMOVE_RECURSE ${OUT}/man ${OUT}/completions)
  file(MAKE_DIRECTORY ${OUT}/man/man1 ${OUT}/completions)
  execute_process(COMMAND ${DEALSIM} help --commands OUTPUT_VARIABLE commands
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dealsim help --commands failed (${rc})")
  endif()
  string(STRIP "${commands}" commands)
  string(REPLACE "\n" ";" commands "${commands}")
  ds_doc(man/man1/dealsim.1 help --man)
  foreach(cmd IN LISTS commands)
    ds_doc(man/man1/dealsim-${cmd}.1 help --man ${cmd})
  endforeach()
  ds_doc(completions/dealsim help --completion bash)
  ds_doc(completions/_dealsim help --completion zsh)
  # dealsim-scenario(5) and the JSON Schema, from the scenario format table.
  file(MAKE_DIRECTORY ${OUT}/man/man5)
  ds_doc(man/man5/dealsim-scenario.5 help --man format)
  ds_doc(scenario.schema.json schema)
  return()
endif()

include(GNUInstallDirs)
set(DS_DOC_DIR ${PROJECT_BINARY_DIR}/doc)

if(NOT CMAKE_CROSSCOMPILING)
  add_custom_command(
    OUTPUT ${DS_DOC_DIR}/stamp
    COMMAND ${CMAKE_COMMAND} -DDEALSIM=$<TARGET_FILE:dealsim> -DOUT=${DS_DOC_DIR}
            -P ${CMAKE_CURRENT_LIST_FILE}
    COMMAND ${CMAKE_COMMAND} -E touch ${DS_DOC_DIR}/stamp
    DEPENDS dealsim ${CMAKE_CURRENT_LIST_FILE}
    COMMENT "Generating the man pages and shell completions")
  add_custom_target(dealsim_docs ALL DEPENDS ${DS_DOC_DIR}/stamp)

  install(DIRECTORY ${DS_DOC_DIR}/man/ DESTINATION ${CMAKE_INSTALL_MANDIR})
  install(FILES ${DS_DOC_DIR}/completions/dealsim
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
  install(FILES ${DS_DOC_DIR}/scenario.schema.json
          DESTINATION ${CMAKE_INSTALL_DATADIR}/dealsim)
  install(FILES ${DS_DOC_DIR}/completions/_dealsim
          DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
endif()

# tests/test_help.c checks the generated files against the tables, so it
# links the command-line sources (all but main.c) and reads the build's docs.
if(TARGET test_help)
  target_sources(test_help PRIVATE ${DS_CLI_SOURCES})
  target_compile_definitions(test_help PRIVATE DS_DOC_DIR="${DS_DOC_DIR}")
  if(TARGET dealsim_docs)
    add_dependencies(test_help dealsim_docs)
  endif()
endif()
