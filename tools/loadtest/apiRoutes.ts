/**
 * The BookStore api's routes a load test may call: anonymous GETs, transcribed from the app's source
 * at the commit the platform pins (aalmada/BookStore). A test checks every request of
 * loadtest/profile.json against this table, so the profile cannot drift to paths the app never served.
 */

/** The app commit these routes were read at. */
export const APP_COMMIT = "79aabad177f47a179f0eaa3ae08738ec51c591f1";

export interface ApiRoute {
    /** ASP.NET Core route template, group prefixes included (`{id:guid}` keeps its constraint). */
    template: string;
    /** Query parameters the handler binds (`[AsParameters]` records, camelCase as the app's binder reads them). */
    query: readonly string[];
    /** Where the route and its parameters are declared. */
    source: string;
}

// PagedRequest (Page, PageSize), OrderedPagedRequest (SortBy, SortOrder) and BookSearchRequest's own properties.
const PAGED = ["page", "pageSize"] as const;
const ORDERED = [...PAGED, "sortBy", "sortOrder"] as const;

export const API_ROUTES: readonly ApiRoute[] = [
    {
        template: "/api/books",
        query: [...ORDERED, "search", "authorId", "categoryId", "publisherId", "onSale", "minPrice", "maxPrice", "currency", "includeDeleted"],
        source: "src/BookStore.ApiService/Endpoints/BookEndpoints.cs MapGet(\"/\", SearchBooks) in MapGroup(\"/api\").MapGroup(\"/books\") "
            + "(Infrastructure/Extensions/EndpointMappingExtensions.cs); src/BookStore.Shared/Models/BookSearchRequest.cs",
    },
    {
        template: "/api/books/{id:guid}",
        query: [],
        source: "src/BookStore.ApiService/Endpoints/BookEndpoints.cs MapGet(\"/{id:guid}\", GetBook)",
    },
];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The route a concrete path (with its query) matches, or undefined. Path segments must match the
 * template (a `{x:guid}` segment a GUID); every query parameter must be one the handler binds.
 */
export function matchRoute(pathAndQuery: string, routes: readonly ApiRoute[] = API_ROUTES): ApiRoute | undefined {
    const url = new URL(pathAndQuery, "http://api");
    const segments = url.pathname.split("/").filter(Boolean);
    return routes.find((route) => {
        const template = route.template.split("/").filter(Boolean);
        if (template.length !== segments.length) return false;
        const pathMatches = template.every((part, i) => {
            const parameter = /^\{[a-zA-Z]+(?::([a-z]+))?\}$/.exec(part);
            if (!parameter) return part.toLowerCase() === segments[i].toLowerCase();
            return parameter[1] !== "guid" || GUID.test(segments[i]);
        });
        const known = new Set(route.query.map((q) => q.toLowerCase()));
        return pathMatches && [...url.searchParams.keys()].every((key) => known.has(key.toLowerCase()));
    });
}
