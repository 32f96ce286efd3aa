# Throwaway certificates for the tests and benchmarks (sourced): EC P-256,
# made with openssl.
#
# certs_ca DIR CN [NAME]: a CA valid for 2 days, DIR/NAME.pem and
#   DIR/NAME.key (NAME: ca).
# certs_leaf DIR NAME CN SAN [DAYS]: DIR/NAME.pem and DIR/NAME.key for CN
#   with the subjectAltName SAN ("IP:127.0.0.1", "DNS:bmc.example"), signed
#   by DIR/ca.pem, valid for DAYS days (2; -1 makes one already expired).
certs_ca() {
  local dir=$1 name=${3:-ca}
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/$name.key" -out "$dir/$name.pem" -days 2 -subj "/CN=$2" \
    2>/dev/null
}

certs_leaf() {
  local dir=$1 name=$2
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$3" 2>/dev/null
  printf 'subjectAltName=%s\n' "$4" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" \
    -CAkey "$dir/ca.key" -CAcreateserial -days "${5:-2}" \
    -extfile "$dir/$name.ext" -out "$dir/$name.pem" 2>/dev/null
}
