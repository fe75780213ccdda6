# The simulator as a tool: a report replays to the same trace hash (and a
# tampered one is caught, exit 3); two runs' --trace files are identical for
# one seed and differ from another's; a .zst trace is compressed; Ctrl-C
# ends a long run with a partial report (exit 130); a run that cannot fit in
# memory is refused up front (exit 2, naming --max-memory-mb); --version.
set(dir "${WORK}/sim_tools")
file(REMOVE_RECURSE "${dir}")
file(MAKE_DIRECTORY "${dir}")
set(failures "")
macro(expect_rc want rc what)
  if(NOT "${rc}" STREQUAL "${want}")
    string(APPEND failures "\n  ${what}: exit '${rc}', want ${want}")
  endif()
endmacro()

# Replay.
execute_process(COMMAND ${SIM} --duration 6 --crash 1.5-2.5:1 --partition 3-4:0|1,2,3
                        --loss 0.01 --jitter-ms 25 --json --quiet
                OUTPUT_FILE "${dir}/report.json" RESULT_VARIABLE rc TIMEOUT 120)
expect_rc(0 "${rc}" "the run to replay")
execute_process(COMMAND ${SIM} --replay "${dir}/report.json" --quiet
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET TIMEOUT 120)
expect_rc(0 "${rc}" "--replay of a report")
if(NOT err MATCHES "replay: trace hash [0-9a-f]+ matches")
  string(APPEND failures "\n  --replay did not say the trace hash matches: ${err}")
endif()
file(READ "${dir}/report.json" report)
string(REGEX MATCH "\"trace_hash\": \"([0-9a-f])" _ "${report}")
set(other "0")
if(CMAKE_MATCH_1 STREQUAL "0")
  set(other "1")
endif()
string(REGEX REPLACE "\"trace_hash\": \"[0-9a-f]" "\"trace_hash\": \"${other}" tampered
       "${report}")
file(WRITE "${dir}/tampered.json" "${tampered}")
execute_process(COMMAND ${SIM} --replay "${dir}/tampered.json" --quiet
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET TIMEOUT 120)
expect_rc(3 "${rc}" "--replay of a report whose trace hash differs")

# Traces: same seed, same file; another seed diverges.
foreach(run a b)
  execute_process(COMMAND ${SIM} --duration 3 --seed 5 --quiet --trace "${dir}/trace_${run}.txt"
                  RESULT_VARIABLE rc OUTPUT_QUIET TIMEOUT 60)
  expect_rc(0 "${rc}" "--trace run ${run}")
endforeach()
execute_process(COMMAND ${SIM} --duration 3 --seed 6 --quiet --trace "${dir}/trace_c.txt"
                RESULT_VARIABLE rc OUTPUT_QUIET TIMEOUT 60)
file(SHA256 "${dir}/trace_a.txt" ha)
file(SHA256 "${dir}/trace_b.txt" hb)
file(SHA256 "${dir}/trace_c.txt" hc)
file(SIZE "${dir}/trace_a.txt" size_a)
if(NOT ha STREQUAL hb OR ha STREQUAL hc OR size_a LESS 10000)
  string(APPEND failures "\n  traces: same seed must give the same file, another seed another (${size_a} bytes)")
endif()
file(STRINGS "${dir}/trace_a.txt" first LIMIT_COUNT 1)
if(NOT first MATCHES "^[0-9]+ [0-9]+'? [EA] [a-z_]+ [0-9a-f]+$")
  string(APPEND failures "\n  a trace line is not 'TIME INSTANCE E|A NAME DIGEST': ${first}")
endif()
execute_process(COMMAND ${SIM} --duration 3 --seed 5 --quiet --trace "${dir}/trace.zst"
                        --trace-limit 100
                RESULT_VARIABLE rc OUTPUT_QUIET TIMEOUT 60)
expect_rc(0 "${rc}" "--trace FILE.zst")
file(READ "${dir}/trace.zst" magic LIMIT 4 HEX)
if(NOT magic STREQUAL "28b52ffd")
  string(APPEND failures "\n  trace.zst is not zstd (starts ${magic})")
endif()

# Ctrl-C: a partial report, exit 130. The signal is sent once the run
# reports progress (signal_after_start.sh), not after a fixed delay.
set(after_start bash ${CMAKE_CURRENT_LIST_DIR}/signal_after_start.sh)
execute_process(COMMAND ${after_start} INT "${dir}/int.json" ${SIM} --duration 86000 --tps 10
                        --json --max-memory-mb 100000
                RESULT_VARIABLE rc TIMEOUT 60)
expect_rc(130 "${rc}" "Ctrl-C during a long run")
file(READ "${dir}/int.json" out)
if(NOT out MATCHES "\"interrupted\": true" OR NOT out MATCHES "\"trace_hash\"")
  string(APPEND failures "\n  Ctrl-C printed no partial report: ${out}")
endif()

# SIGTERM: a partial report too, exit 143.
execute_process(COMMAND ${after_start} TERM "${dir}/term.json" ${SIM} --duration 86000 --tps 10
                        --json --max-memory-mb 100000
                RESULT_VARIABLE rc TIMEOUT 60)
expect_rc(143 "${rc}" "SIGTERM during a long run")
file(READ "${dir}/term.json" out)
if(NOT out MATCHES "\"interrupted\": true")
  string(APPEND failures "\n  SIGTERM printed no partial report")
endif()

# An explicit --faults-end 0 stops the loss at once (it never stopped, and
# progress failed).
execute_process(COMMAND ${SIM} --loss 0.3 --duration 20 --faults-end 0 --quiet
                RESULT_VARIABLE rc OUTPUT_VARIABLE out TIMEOUT 60)
expect_rc(0 "${rc}" "--loss 0.3 --faults-end 0: ${out}")

# One file for two outputs, or for the input and an output, is refused
# before anything is written.
file(WRITE "${dir}/keep.toml" "duration = 2\n")
execute_process(COMMAND ${SIM} --config "${dir}/keep.toml" --html "${dir}/keep.toml" --quiet
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET TIMEOUT 30)
expect_rc(2 "${rc}" "--config and --html on one file")
file(READ "${dir}/keep.toml" kept)
if(NOT kept STREQUAL "duration = 2\n")
  string(APPEND failures "\n  the config file was overwritten: ${kept}")
endif()
execute_process(COMMAND ${SIM} --duration 2 --html "${dir}/same.out" --timeline
                        "${dir}/./same.out" --quiet
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET TIMEOUT 30)
expect_rc(2 "${rc}" "--html and --timeline on one file")

# Memory estimate.
foreach(case "--shards;64;--validators;256" "--duration;86400;--tps;100000"
             "--max-memory-mb;1")
  execute_process(COMMAND ${SIM} ${case} --quiet
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET TIMEOUT 30)
  expect_rc(2 "${rc}" "${case}")
  if(NOT err MATCHES "needs about .* GiB.*--max-memory-mb")
    string(APPEND failures "\n  ${case}: no estimate or override flag in: ${err}")
  endif()
endforeach()

# Output files that cannot be written fail before the run.
execute_process(COMMAND ${SIM} --quiet --html /nonexistent/dir/r.html
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET TIMEOUT 30)
expect_rc(2 "${rc}" "--html into a missing directory")

execute_process(COMMAND ${SIM} --version RESULT_VARIABLE rc OUTPUT_VARIABLE out TIMEOUT 10)
expect_rc(0 "${rc}" "--version")
if(NOT out MATCHES "^hyperscale-sim [0-9]+\\.[0-9]+\\.[0-9]+ \\(commit ")
  string(APPEND failures "\n  --version printed: ${out}")
endif()

if(failures)
  message(FATAL_ERROR "simulator tool checks failed:${failures}")
endif()
message(STATUS "replay, trace, Ctrl-C, memory refusal and --version hold")
