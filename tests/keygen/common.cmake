# Helpers for the keygen CLI tests (cmake -P scripts). Each script gets
# KEYGEN (the binary) and WORK (a scratch folder it owns), collects every
# failure in `failures`, and ends with keygen_finish().

if(NOT KEYGEN OR NOT WORK)
  message(FATAL_ERROR "pass -DKEYGEN=<hyperscale-keygen> -DWORK=<scratch folder>")
endif()
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(failures "")
# Reproducible network seeds (64 hex digits).
string(REPEAT "1" 64 seed_a)
string(REPEAT "2" 64 seed_b)

# keygen(<args>...): runs the binary; sets rc, out, err. A process that
# crashes gets a text rc ("Child aborted"), which matches no exit code.
# `keygen_timeout` (seconds, default 60) bounds the run.
macro(keygen)
  if(NOT keygen_timeout)
    set(keygen_timeout 60)
  endif()
  execute_process(COMMAND "${KEYGEN}" ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT ${keygen_timeout})
endmacro()

macro(fail message)
  string(APPEND failures "\n  ${message}")
endmacro()

# expect(<what> <exit code> [<regex the output (stdout and stderr) must match>])
macro(expect what code)
  if(NOT "${rc}" STREQUAL "${code}")
    fail("${what}: exit '${rc}' (want ${code}); stderr: ${err}")
  elseif(NOT "${ARGN}" STREQUAL "" AND NOT "${out}${err}" MATCHES "${ARGN}")
    fail("${what}: output does not match '${ARGN}': ${out}${err}")
  endif()
endmacro()

# mode_of(<path> <var>): the permission bits, octal, e.g. 600.
function(mode_of path var)
  execute_process(COMMAND stat -c %a "${path}" OUTPUT_VARIABLE mode
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(${var} "${mode}" PARENT_SCOPE)
endfunction()

macro(expect_mode path want)
  mode_of("${path}" mode)
  if(NOT "${mode}" STREQUAL "${want}")
    fail("${path}: mode '${mode}' (want ${want})")
  endif()
endmacro()

macro(keygen_finish)
  if(failures)
    message(FATAL_ERROR "hyperscale-keygen:${failures}")
  endif()
endmacro()
