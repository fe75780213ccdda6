# Runs hyperscale-sim twice with the same seed (separate processes) and fails
# unless both report the same trace hash; a third run with another seed must differ.
foreach(run a b)
  execute_process(COMMAND ${SIM} --duration 5 --seed 42 --loss 0.02 --jitter-ms 25 --json --quiet
                  OUTPUT_VARIABLE out_${run} RESULT_VARIABLE rc_${run})
  if(NOT rc_${run} EQUAL 0)
    message(FATAL_ERROR "hyperscale-sim run ${run} failed (${rc_${run}}): ${out_${run}}")
  endif()
  string(REGEX MATCH "\"trace_hash\": \"([0-9a-f]+)\"" _ "${out_${run}}")
  set(hash_${run} "${CMAKE_MATCH_1}")
endforeach()
execute_process(COMMAND ${SIM} --duration 5 --seed 43 --loss 0.02 --jitter-ms 25 --json --quiet
                OUTPUT_VARIABLE out_c)
string(REGEX MATCH "\"trace_hash\": \"([0-9a-f]+)\"" _ "${out_c}")
set(hash_c "${CMAKE_MATCH_1}")
if(hash_a STREQUAL "" OR NOT hash_a STREQUAL hash_b)
  message(FATAL_ERROR "trace hashes differ across processes: '${hash_a}' vs '${hash_b}'")
endif()
if(hash_a STREQUAL hash_c)
  message(FATAL_ERROR "seeds 42 and 43 gave the same trace hash ${hash_a}")
endif()
message(STATUS "same seed, same trace hash across processes: ${hash_a}")
