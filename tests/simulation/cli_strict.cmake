# Every malformed value below must be refused with exit code 2 and a message
# naming the flag, within seconds. Before, each ran misread (`--seed -1` as
# 2^64 - 1, `silent:4294967296` as no fault, two counts summing past 2^32 as
# few) or never ended (`--duration nan` passed the range check). (A trailing
# ';' and empty values are refused too; a CMake list cannot carry them.)
set(cases
  "--duration^nan" "--duration^-nan" "--duration^inf" "--warmup^nan" "--loss^nan"
  "--duplicate^inf" "--byzantine^silent:1abc" "--byzantine^silent:4294967296"
  "--byzantine^silent:-1" "--byzantine^silent" "--byzantine^silent:1.9"
  "--byzantine^equivocate:4294967295^--byzantine^silent:2"
  "--seed^-1" "--seed^18446744073709551616" "--seed^1e26" "--random-faults^-1"
  "--random-faults^0x10" "--slow^1:1000000" "--clock-offset^1:-9223372036854775808"
  "--partition^5-12:99999999999999999999" "--partition^5-12:4294967296|1,2,3"
  "--partition^5abc-12xyz:0" "--partition^1-2:0,0,0" "--partition^1-2:0>0"
  "--partition^nan-2:0"
  "--shards^2^--partition^1-2:0>8" "--byzantine^silent:0" "--shards^2^--partition^1-2:0|4" "--crash^1-6:0"
  "--crash^1-2:1,1"
  "--max-memory-mb^17592186044416"
  "--select^zipf:0" "--select^zipf:nan" "--select^zipf:-1" "--select^zipf:11" "--select^zipf:"
  "--select^hot" "--execution^yes" "--accounts^1" "--accounts^10000001")
set(failures "")
foreach(case IN LISTS cases)
  string(REPLACE "^" ";" args "${case}")
  list(GET args 0 flag)
  execute_process(COMMAND ${SIM} ${args} --duration 2 --quiet
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out TIMEOUT 30)
  string(REPLACE "--" "" name "${flag}")
  if(NOT rc EQUAL 2)
    string(APPEND failures "\n  ${case}: exit '${rc}' (want 2): ${err}")
  elseif(NOT err MATCHES "${name}|slow validator|clock offset|faults per shard|names validator|crash window|partition window")
    string(APPEND failures "\n  ${case}: the message does not name the flag: ${err}")
  endif()
endforeach()
if(failures)
  message(FATAL_ERROR "malformed flags accepted or unclear:${failures}")
endif()
list(LENGTH cases n)
message(STATUS "${n} malformed flag values refused with exit 2")
