#include "identity.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace dev_register {

// httplib (0.11) gives a handler the connection's SSL* as Request::ssl. The certificate was
// verified against --client-ca in the handshake, so only its subject is read here.
std::optional<std::string> client_common_name(const httplib::Request& req) {
    if (!req.ssl || SSL_get_verify_result(req.ssl) != X509_V_OK) return std::nullopt;
    X509* certificate = SSL_get0_peer_certificate(req.ssl);
    if (!certificate) return std::nullopt;
    const X509_NAME* subject = X509_get_subject_name(certificate);
    const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index < 0 || X509_NAME_get_index_by_NID(subject, NID_commonName, index) >= 0)
        return std::nullopt;
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, value);
    if (length < 0) return std::nullopt;
    std::string name(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    // A NUL inside would let "kiosk-1\0evil" pass as "kiosk-1" to a C-string reader.
    if (name.find('\0') != std::string::npos) return std::nullopt;
    return name;
}

}  // namespace dev_register
